"""Studies and their trials (ask/tell).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "studies",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("space", sa.String(16), nullable=False),
        sa.Column("goal", sa.String(8), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("max_params", sa.BigInteger()),
        sa.Column("max_flops", sa.BigInteger()),
        sa.Column("candidates", sa.JSON()),
        sa.Column("candidate_hashes", sa.JSON()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_studies_created_at", "studies", ["created_at"])
    op.create_table(
        "trials",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("study_id", sa.String(32), sa.ForeignKey("studies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(256), nullable=False),
        sa.Column("cell", sa.JSON(), nullable=False),
        sa.Column("params", sa.BigInteger(), nullable=False),
        sa.Column("flops", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("value", sa.Float()),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("predicted_mean", sa.Float()),
        sa.Column("predicted_spread", sa.Float()),
        sa.Column("error", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("told_at", sa.DateTime()),
        sa.UniqueConstraint("study_id", "number", name="uq_trials_study_number"),
        sa.UniqueConstraint("study_id", "identity", name="uq_trials_study_identity"),
    )
    op.create_index("ix_trials_study_id", "trials", ["study_id"])
    op.create_index("ix_trials_state", "trials", ["state"])


def downgrade() -> None:
    op.drop_table("trials")
    op.drop_table("studies")
