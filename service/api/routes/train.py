"""Training jobs: POST /train (202 + Location), GET /train/{id}, POST /train/{id}/cancel. The trained
model is stored in the database and served by id like the shipped ones. Thin: the work is in
service.training and the train worker."""

from fastapi import APIRouter, HTTPException, Response, status

from service.api.deps import ClientDep, PoolDep, SessionDep, SettingsDep, SpacesDep
from service.api.limits import check_cell_count, check_queue_room
from service.api.problems import documented
from service.inference.cells import parse_cells
from service.jobs import service as jobs
from service.jobs.models import JobStatus
from service.jobs.schemas import JobCreated
from service.studies import service as studies
from service.training import refits
from service.training.schemas import TrainJobOut, TrainRequest

router = APIRouter(prefix="/train", tags=["train"])

NOT_FOUND = {404: "no such job (or study)"}


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobCreated,
    responses=documented({**NOT_FOUND, 429: "the queue (or your share of it) is full; see Retry-After"}),
)
def create_training(
    body: TrainRequest,
    db: SessionDep,
    pool: PoolDep,
    settings: SettingsDep,
    spaces: SpacesDep,
    client: ClientDep,
    response: Response,
) -> JobCreated:
    serial_key = None
    if body.study is not None:
        study = studies.get_study(db, body.study)
        if study.space != body.space:
            message = f"study {study.id} is in space {study.space}, not {body.space}"
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                [{"loc": ["body", "study"], "msg": message, "type": "wrong_space"}],
            )
        serial_key = refits.serial_key(study.id)
    else:
        assert body.cells is not None  # TrainRequest: a study or cells
        check_cell_count(len(body.cells), settings)
        parse_cells(spaces[body.space], [c.cell for c in body.cells], suffix=".cell")
    check_queue_room(db, settings, client)
    job = jobs.create_job(db, kind=refits.TRAIN_KIND, request=body, owner=client, serial_key=serial_key)
    pool.submit(job)
    response.headers["Location"] = f"/train/{job.id}"
    return JobCreated(id=job.id, status=JobStatus(job.status))


@router.get("/{job_id}", response_model=TrainJobOut, responses=documented(NOT_FOUND))
def get_training(job_id: str, db: SessionDep) -> TrainJobOut:
    job = jobs.get_job(db, job_id, kind=refits.TRAIN_KIND)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no training job {job_id!r}")
    return TrainJobOut.of(job)


@router.post(
    "/{job_id}/cancel",
    response_model=TrainJobOut,
    responses=documented({**NOT_FOUND, 409: "the job has already finished"}),
)
def cancel_training(job_id: str, db: SessionDep, pool: PoolDep) -> TrainJobOut:
    job = jobs.cancel_job(db, job_id, kind=refits.TRAIN_KIND)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no training job {job_id!r}")
    pool.cancelled(job.id)
    return TrainJobOut.of(job)
