"""GET /healthz (the process answers) and GET /readyz (models loaded and database reachable; also
whether the NB101 hash table is in use, which only changes speed, never readiness)."""

from fastapi import APIRouter, Response, status
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from service.api.deps import HashTableStateDep, RegistryDep, SessionDep
from service.inference.identity_table import TableState

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    models: int
    database: bool
    nb101_hash_table: TableState


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(
    registry: RegistryDep, db: SessionDep, hash_table: HashTableStateDep, response: Response
) -> Readiness:
    try:
        db.execute(text("SELECT 1"))
        database = True
    except SQLAlchemyError:
        database = False
    ready = database and bool(registry.models)
    if not ready:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Readiness(ready=ready, models=len(registry.models), database=database, nb101_hash_table=hash_table)
