"""Release 0.1.0's search-job table, frozen: created by revision 0001, read and dropped by 0002
(and recreated by its downgrade). Never change it; later schemas are new revisions."""

import sqlalchemy as sa

SEARCH_JOBS = sa.Table(
    "search_jobs",
    sa.MetaData(),
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("space", sa.String(16), nullable=False),
    sa.Column("strategy", sa.String(32), nullable=False),
    sa.Column("model_id", sa.String(200), nullable=False),
    sa.Column("request", sa.JSON(), nullable=False),
    sa.Column("fraction", sa.Float()),
    sa.Column("evaluated", sa.Integer(), nullable=False),
    sa.Column("generation", sa.Integer()),
    sa.Column("best_score", sa.Float()),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("started_at", sa.DateTime()),
    sa.Column("finished_at", sa.DateTime()),
    sa.Column("error", sa.Text()),
    sa.Column("result", sa.JSON()),
    sa.Index("ix_search_jobs_status", "status"),
    sa.Index("ix_search_jobs_created_at", "created_at"),
)
PROGRESS_COLUMNS = ("fraction", "evaluated", "generation", "best_score")
