"""What routes declare in their signatures: settings, a DB session, models, spaces, the job pool, the key."""

import hashlib
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from service.api.security import key_matches
from service.core.config import Settings
from service.inference import identity_table
from service.inference.registry import ModelRegistry
from service.jobs import service as jobs
from service.jobs.pool import JobPool
from service.training import availability

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="needed when RENAS_API_KEY is set"
)


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


async def get_registry(request: Request) -> ModelRegistry:
    return request.app.state.registry


async def get_pool(request: Request) -> JobPool:
    return request.app.state.pool


async def get_client(request: Request, key: Annotated[str | None, Security(api_key_header)]) -> str:
    """Who is asking, for per-client quotas: the API key's fingerprint, else the client's address."""
    if key:
        return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"addr:{request.client.host if request.client else 'unknown'}"


def get_training(request: Request, db: Annotated[Session, Depends(get_db)]) -> str | None:
    """Why nothing in this deployment trains (no train worker), or None when something does: this
    process's own worker, or (scaled) a train worker elsewhere that said it is alive."""
    local = request.app.state.training_unavailable
    if local is None or not request.app.state.pool.delivery.remote_workers:
        return local
    lease = request.app.state.settings.job_lease_seconds
    return availability.deployment_reason(jobs.live_workers(db, "train", within=lease))


async def get_spaces(request: Request) -> identity_table.ServedSpaces:
    return request.app.state.spaces


async def get_hash_table_state(request: Request) -> identity_table.TableState:
    return identity_table.state(request.app.state.spaces, request.app.state.table_build)


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_db)]
RegistryDep = Annotated[ModelRegistry, Depends(get_registry)]
PoolDep = Annotated[JobPool, Depends(get_pool)]
ClientDep = Annotated[str, Depends(get_client)]
TrainingDep = Annotated[str | None, Depends(get_training)]
SpacesDep = Annotated[identity_table.ServedSpaces, Depends(get_spaces)]
HashTableStateDep = Annotated[identity_table.TableState, Depends(get_hash_table_state)]


async def require_api_key(
    settings: SettingsDep, key: Annotated[str | None, Security(api_key_header)]
) -> None:
    """401 unless the X-API-Key header matches the configured key (when one is configured).

    ``ApiKeyGate`` has already refused such requests before their body was read; this dependency
    declares the header in OpenAPI and guards the routes should the app be mounted without the gate.
    """
    if settings.api_key is None:
        return
    if not key_matches(key, settings.api_key):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "missing or wrong X-API-Key", headers={"WWW-Authenticate": "ApiKey"}
        )
