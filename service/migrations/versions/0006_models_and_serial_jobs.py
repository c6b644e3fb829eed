"""Models trained by the service's jobs (ONNX bytes and card), and jobs that run one at a time per key.

``jobs.serial_key`` names a group whose jobs never run at once (a study's refits: "study:<id>"); the
partial unique index makes the database refuse a second running job of a group, whichever worker
claims it.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

RUNNING = sa.text("status = 'running'")


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("onnx", sa.LargeBinary(), nullable=False),
        sa.Column("study_id", sa.String(32), sa.ForeignKey("studies.id", ondelete="CASCADE")),
        sa.Column("trained_on", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_models_study_id", "models", ["study_id"])
    op.create_index("ix_models_created_at", "models", ["created_at"])
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("serial_key", sa.String(64)))
        batch.create_index("ix_jobs_serial_key", ["serial_key"])
    op.create_index(
        "uq_jobs_one_running_per_key",
        "jobs",
        ["serial_key"],
        unique=True,
        sqlite_where=RUNNING,
        postgresql_where=RUNNING,
    )


def downgrade() -> None:
    op.drop_index("uq_jobs_one_running_per_key", "jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_serial_key")
        batch.drop_column("serial_key")
    op.drop_index("ix_models_created_at", "models")
    op.drop_index("ix_models_study_id", "models")
    op.drop_table("models")
