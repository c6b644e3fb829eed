"""Request-body size limit, enforced before any byte is parsed (pure ASGI: no per-request task)."""

from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.asgi import send_json
from service.api.errors import TooManyCellsError
from service.api.problems import problem_bytes
from service.core.config import Settings
from service.jobs import service as jobs


def check_cell_count(count: int, settings: Settings) -> None:
    if count > settings.max_cells_per_request:
        raise TooManyCellsError(
            f"{count} cells in one request; at most {settings.max_cells_per_request} are allowed"
        )


def check_queue_room(db: Session, settings: Settings, client: str) -> None:
    """QueueFullError (429) when the job queue, or ``client``'s share of it, is full."""
    jobs.check_queue_room(
        db,
        owner=client,
        max_total=settings.max_queued_jobs,
        max_per_owner=settings.max_queued_jobs_per_client,
    )


class BodySizeLimit:
    """413 for a body over ``max_bytes``: by its Content-Length, or counted while it streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._reject(send)
            return
        received = 0
        rejected = False

        async def counting_receive() -> Message:
            # Over the limit mid-stream: answer 413 now and tell the app the client went away.
            nonlocal received, rejected
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    if not rejected:
                        rejected = True
                        await self._reject(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not rejected:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _reject(self, send: Send) -> None:
        await send_json(send, 413, problem_bytes(413, f"request body over {self.max_bytes} bytes"))
