"""The gauges read from the database at each scrape: jobs by kind and status, and studies."""

from collections.abc import Iterator

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service.jobs.models import Job
from service.studies.models import Study


class DatabaseGauges(Collector):
    """``renas_jobs{kind,status}`` and ``renas_studies``, counted at scrape time in the database of
    the app that started last (a process serves one app; tests start several, one after another)."""

    def __init__(self) -> None:
        self.databases: list[sessionmaker[Session]] = []

    def watch(self, sessions: sessionmaker[Session]) -> None:
        self.databases.append(sessions)

    def unwatch(self, sessions: sessionmaker[Session]) -> None:
        self.databases.remove(sessions)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if not self.databases:
            return
        jobs = GaugeMetricFamily("renas_jobs", "Jobs in the job table", labels=["kind", "status"])
        studies = GaugeMetricFamily("renas_studies", "Studies in the database")
        try:
            with self.databases[-1]() as db:
                rows = db.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status))
                for kind, status, count in rows:
                    jobs.add_metric([kind, status], count)
                studies.add_metric([], db.scalar(select(func.count()).select_from(Study)) or 0)
        except SQLAlchemyError:
            return  # no database, no gauges: the scrape still serves every other metric
        yield jobs
        yield studies


DATABASE_GAUGES = DatabaseGauges()
REGISTRY.register(DATABASE_GAUGES)
