"""The ``train`` job kind: an ensemble trained on labelled cells, stored as a model in the database.

Its runner lives in the trainer (it imports torch) and is imported only when a train worker runs a
job, so the service process, the search workers and the API never load torch.
"""

from pydantic import TypeAdapter

from service.jobs.kind import JobContext, JobKind
from service.training.refits import TRAIN_KIND
from service.training.schemas import TrainProgress, TrainRequest, TrainResult


def run_train_job(context: JobContext, request: TrainRequest) -> TrainResult:
    from trainer.train_job import run

    return run(context, request)


TRAIN = JobKind(
    name=TRAIN_KIND,
    queue="train",
    request=TypeAdapter(TrainRequest),
    progress=TrainProgress,
    result=TrainResult,
    run=run_train_job,
)
