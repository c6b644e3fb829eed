"""``X-Request-ID`` on every response: the client's own id when it sends a usable one, a new one
otherwise, set before anything else runs so that 401s and 413s carry it too, and held in a context
variable for the log lines of the request (``service.core.logs``)."""

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.core.logs import request_id

HEADER = b"x-request-id"
USABLE = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")  # what a client may choose: safe in logs and headers


class RequestId:
    """Pure ASGI: reads or makes the id, echoes it on the response start."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER)
        value = given if given is not None and USABLE.match(given) else uuid.uuid4().hex.encode()
        token = request_id.set(value.decode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, value)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
