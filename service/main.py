"""The ASGI app (``service.main:app``) and ``renas-serve``.

Start-up loads every model in ``models_dir`` and the NB101 hash table (or starts building it),
upgrades the database's schema (creating it where empty) and starts the worker pool: search workers,
and a train worker where torch is installed (the train extra); they run the queued jobs (those of an
earlier run too); shut-down stops the workers, which give their running jobs
back to the queue. Never imports torch.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.metadata import version

import uvicorn
from fastapi import Depends, FastAPI
from prometheus_fastapi_instrumentator import Instrumentator

from service import migrations
from service.api.deps import require_api_key
from service.api.errors import add_error_handlers
from service.api.limits import BodySizeLimit
from service.api.main import api_router
from service.api.metrics import DATABASE_GAUGES
from service.api.request_id import RequestId
from service.api.security import ApiKeyGate
from service.core import logs
from service.core.config import Settings, get_settings
from service.core.db import make_engine, make_sessionmaker
from service.inference import identity_table
from service.inference.registry import load_registry
from service.inference.stored import StoredModels
from service.jobs.kind import WorkerConfig
from service.jobs.pool import JobPool
from service.training.availability import unavailable_reason

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        registry = load_registry(settings.models_dir, settings.providers)
        spaces = identity_table.ServedSpaces()
        table_build = identity_table.start(
            spaces, settings.nb101_hash_table, build=settings.build_nb101_hash_table
        )
        migrations.upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        sessions = make_sessionmaker(engine)
        config = WorkerConfig.from_settings(settings)
        registry.stored = StoredModels(sessions, settings.providers)
        training_unavailable = unavailable_reason(settings.train_workers)
        if training_unavailable is not None:
            log.warning("no train worker: %s", training_unavailable)
        pool = JobPool(
            config,
            workers={
                "search": settings.search_workers,
                "train": settings.train_workers if training_unavailable is None else 0,
            },
            sessions=sessions,
            retention=timedelta(days=settings.job_retention_days),
        )
        DATABASE_GAUGES.watch(sessions)
        app.state.settings = settings
        app.state.registry = registry
        app.state.spaces = spaces
        app.state.sessions = sessions
        app.state.pool = pool
        app.state.training_unavailable = training_unavailable
        app.state.table_build = table_build
        try:
            yield
        finally:
            if table_build is not None:
                table_build.stop()
            pool.shutdown()
            DATABASE_GAUGES.unwatch(sessions)
            engine.dispose()

    app = FastAPI(
        title="ReNAS predictor service",
        version=version("renas-service"),
        description="Ranks NAS-Bench-101 and NAS-Bench-201 cells with ONNX ranking predictors, and searches.",
        lifespan=lifespan,
    )
    app.include_router(api_router)
    add_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Added after the body limit, so outside it: a request without the key is refused before any
    # byte of its body. The request id is outermost: every answer, a 401 too, carries it.
    app.add_middleware(ApiKeyGate, api_key=settings.api_key, public_docs=settings.public_docs)
    app.add_middleware(RequestId)
    Instrumentator().instrument(app).expose(
        app, include_in_schema=True, tags=["metrics"], dependencies=[Depends(require_api_key)]
    )
    return app


app = create_app()


def serve() -> None:
    """``renas-serve``: the app on settings.host:settings.port (one process; searches use their own)."""
    settings = get_settings()
    logs.configure(settings.log_level, settings.log_format)
    uvicorn.run(
        "service.main:app",
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=None,
    )
