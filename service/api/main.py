"""Every router of the API; all but the health checks behind the optional API key."""

from fastapi import APIRouter, Depends

from service.api.deps import require_api_key
from service.api.problems import documented
from service.api.routes import health, models, predict, rank, search, studies, train

api_router = APIRouter()
api_router.include_router(health.router)

protected = APIRouter(
    dependencies=[Depends(require_api_key)],
    responses=documented({401: "missing or wrong X-API-Key (only when RENAS_API_KEY is set)"}),
)
protected.include_router(predict.router)
protected.include_router(rank.router)
protected.include_router(search.router)
protected.include_router(studies.router)
protected.include_router(train.router)
protected.include_router(models.router)
api_router.include_router(protected)
