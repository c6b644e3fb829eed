"""GET /healthz (the process answers) and GET /readyz (models loaded, database reachable and taking
writes; also whether the NB101 hash table is in use and whether studies can refit here, which never
change readiness)."""

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.api.deps import HashTableStateDep, RegistryDep, SessionDep, TrainingDep
from service.inference.identity_table import TableState

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    models: int
    database: bool
    database_writable: bool = Field(description="a write (rolled back) succeeds: jobs and tells can be taken")
    nb101_hash_table: TableState
    training: bool = Field(description="a train worker runs here: studies refit their predictors")
    training_detail: str | None = Field(description="why not, and how to install it; never affects ready")


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(
    registry: RegistryDep,
    db: SessionDep,
    hash_table: HashTableStateDep,
    training: TrainingDep,
    response: Response,
) -> Readiness:
    database = _succeeds(db, "SELECT 1")
    # A write that changes nothing, rolled back: a read-only file or a full disk refuses it.
    writable = database and _succeeds(db, "UPDATE alembic_version SET version_num = version_num")
    ready = writable and bool(registry.models)
    if not ready:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Readiness(
        ready=ready,
        models=len(registry.models),
        database=database,
        database_writable=writable,
        nb101_hash_table=hash_table,
        training=training is None,
        training_detail=training,
    )


def _succeeds(db: Session, statement: str) -> bool:
    try:
        db.execute(text(statement))
        return True
    except SQLAlchemyError:
        return False
    finally:
        db.rollback()
