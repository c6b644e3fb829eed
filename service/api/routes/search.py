"""Search jobs: POST /search (202 + Location), GET /search, GET /search/{id}, POST /search/{id}/cancel."""

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Query, Response, status

from service.api.deps import ClientDep, PoolDep, RegistryDep, SessionDep, SettingsDep
from service.api.limits import check_queue_room
from service.api.problems import documented
from service.jobs import service as jobs
from service.jobs.models import JobStatus
from service.jobs.schemas import SEARCH_EXAMPLES, JobCreated, JobOut, JobPage, SearchRequest, job_out
from service.jobs.search_kind import SEARCH

router = APIRouter(prefix="/search", tags=["search"])

NOT_FOUND = {404: "no such job"}


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobCreated,
    responses=documented(
        {404: "no such model for the space", 429: "the queue (or your share of it) is full; see Retry-After"}
    ),
)
def create_search(
    body: Annotated[SearchRequest, Body(openapi_examples=SEARCH_EXAMPLES)],
    registry: RegistryDep,
    db: SessionDep,
    pool: PoolDep,
    settings: SettingsDep,
    client: ClientDep,
    response: Response,
) -> JobCreated:
    model = registry.pick(body.space, body.model, body.dataset)
    cost = body.cells_to_score()
    if cost is not None and cost > settings.max_job_cells:
        message = f"this search may score {cost:,} cells; at most {settings.max_job_cells:,} per job"
        detail = [{"loc": ["body", body.strategy, "params"], "msg": message, "type": "too_costly"}]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)
    check_queue_room(db, settings, client)
    job = jobs.create_job(db, kind=SEARCH.name, request=body, model_id=model.card.id, owner=client)
    pool.submit(job)
    response.headers["Location"] = f"/search/{job.id}"
    return JobCreated(id=job.id, status=JobStatus(job.status))


@router.get("", response_model=JobPage)
def list_searches(
    db: SessionDep,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    status_filter: Annotated[JobStatus | None, Query(alias="status")] = None,
) -> JobPage:
    items, total = jobs.list_jobs(db, kind=SEARCH.name, offset=offset, limit=limit, status=status_filter)
    return JobPage(items=[job_out(j) for j in items], total=total, offset=offset, limit=limit)


@router.get("/{job_id}", response_model=JobOut, responses=documented(NOT_FOUND))
def get_search(job_id: str, db: SessionDep) -> JobOut:
    job = jobs.get_job(db, job_id, kind=SEARCH.name)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no search job {job_id!r}")
    return job_out(job)


@router.post(
    "/{job_id}/cancel",
    response_model=JobOut,
    responses=documented({**NOT_FOUND, 409: "the job has already finished"}),
)
def cancel_search(job_id: str, db: SessionDep, pool: PoolDep) -> JobOut:
    job = jobs.cancel_job(db, job_id, kind=SEARCH.name)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no search job {job_id!r}")
    pool.cancelled(job.id)
    return job_out(job)
