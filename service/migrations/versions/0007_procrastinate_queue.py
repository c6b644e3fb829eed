"""The scaled deployment's queue: procrastinate's tables and functions (PostgreSQL only), and the
``workers`` table where its workers say they are alive and on which queue.

SQLite keeps the job table as its own queue (procrastinate needs PostgreSQL); on PostgreSQL this
revision installs the schema of the procrastinate release the service depends on, and downgrading
removes every object it created.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PREFIX = "procrastinate"


def upgrade() -> None:
    op.create_table(
        "workers",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("queue", sa.String(32), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_workers_queue", "workers", ["queue"])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # Straight to psycopg without parameters: the schema's SQL has literal percent signs.
    bind.connection.driver_connection.execute(SchemaManager.get_schema())


def downgrade() -> None:
    op.drop_index("ix_workers_queue", table_name="workers")
    op.drop_table("workers")
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for (table,) in bind.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE %s",
        (f"{PREFIX}%",),
    ).all():
        bind.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    for (function,) in bind.exec_driver_sql(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.proname LIKE %s",
        (f"{PREFIX}%",),
    ).all():
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    for (kind,) in bind.exec_driver_sql(
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = current_schema() AND t.typname LIKE %s AND t.typtype IN ('e', 'c')",
        (f"{PREFIX}%",),
    ).all():
        bind.exec_driver_sql(f'DROP TYPE IF EXISTS "{kind}" CASCADE')
