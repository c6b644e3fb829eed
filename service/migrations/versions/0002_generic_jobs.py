"""One job table for every kind of job: ``search_jobs`` rows move to ``jobs`` with kind ``search``.

The search's progress columns become the ``progress`` JSON; a job that had started counts one
attempt. Every row is copied, whatever its status. The downgrade moves search jobs back (jobs of
other kinds cannot be expressed in release 0.1.0's table and are dropped).

Revision ID: 0002
Revises: 0001
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from service.migrations.release_0_1 import PROGRESS_COLUMNS, SEARCH_JOBS

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SHARED = ("id", "status", "request", "model_id", "created_at", "started_at", "finished_at", "error", "result")


def _jobs_table() -> sa.Table:
    return sa.Table(
        "jobs",
        sa.MetaData(),
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON()),
        sa.Column("error", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(200)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime()),
        sa.Column("finished_at", sa.DateTime()),
        sa.Index("ix_jobs_kind", "kind"),
        sa.Index("ix_jobs_status", "status"),
        sa.Index("ix_jobs_created_at", "created_at"),
    )


def upgrade() -> None:
    bind = op.get_bind()
    jobs = _jobs_table()
    jobs.create(bind)
    rows = bind.execute(sa.select(SEARCH_JOBS)).mappings().all()
    if rows:
        bind.execute(jobs.insert(), [_job_row(row) for row in rows])
    SEARCH_JOBS.drop(bind)


def _job_row(row: Any) -> dict[str, Any]:
    return {
        **{name: row[name] for name in SHARED},
        "kind": "search",
        "progress": {name: row[name] for name in PROGRESS_COLUMNS},
        "attempts": 0 if row["started_at"] is None else 1,
    }


def downgrade() -> None:
    bind = op.get_bind()
    jobs = _jobs_table()
    rows = bind.execute(sa.select(jobs).where(jobs.c.kind == "search")).mappings().all()
    SEARCH_JOBS.create(bind)
    if rows:
        bind.execute(SEARCH_JOBS.insert(), [_search_job_row(row) for row in rows])
    jobs.drop(bind)


def _search_job_row(row: Any) -> dict[str, Any]:
    progress = row["progress"] or {}
    return {
        **{name: row[name] for name in SHARED},
        "space": row["request"]["space"],
        "strategy": row["request"]["strategy"],
        **{name: progress.get(name) for name in PROGRESS_COLUMNS},
        "evaluated": progress.get("evaluated") or 0,
    }
