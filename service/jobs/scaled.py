"""The scaled deployment's delivery: procrastinate defers and aborts for the API process, and the
worker processes ``renas-serve`` starts are procrastinate workers (``service.jobs.queue_worker``)."""

from multiprocessing.synchronize import Event

from service.jobs import queue, queue_worker
from service.jobs.delivery import WorkerTarget
from service.jobs.kind import WorkerConfig
from service.jobs.models import Job


class QueueDelivery:
    remote_workers = True

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.app = queue.make_app(config.database_url, sync=True).open()

    def submit(self, job: Job) -> None:
        queue.defer(self.app, job)

    def cancelled(self, job_id: str) -> None:
        queue.abort(self.app, job_id)

    def worker(self, queue_name: str, stop: Event, parent: int) -> WorkerTarget:
        return queue_worker.serve, (self.config, queue_name, stop, parent)

    def wake_all(self) -> None:
        return None  # procrastinate's workers hear of jobs themselves (LISTEN/NOTIFY, polling)

    def close(self) -> None:
        self.app.close()
