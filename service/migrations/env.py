"""Alembic's environment: migrations run on the connection ``service.migrations.upgrade`` holds."""

from alembic import context

from service.migrations import Base, ours

connection = context.config.attributes["connection"]
context.configure(
    connection=connection, target_metadata=Base.metadata, render_as_batch=True, include_name=ours
)
with context.begin_transaction():
    context.run_migrations()
