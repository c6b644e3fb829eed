"""Release 0.1.0's schema: the search-job table (databases from before migrations are stamped here).

Revision ID: 0001
Revises:
"""

from alembic import op

from service.migrations.release_0_1 import SEARCH_JOBS

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    SEARCH_JOBS.create(op.get_bind())


def downgrade() -> None:
    SEARCH_JOBS.drop(op.get_bind())
