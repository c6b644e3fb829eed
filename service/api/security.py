"""The API key, checked before a request's body is read (pure ASGI, like the body-size limit).

A dependency would run only after FastAPI has read and parsed the body: clients without a key could
make the service read many megabytes each (two such clients pushed /healthz from 5 ms to 1.6 s) and
would get 422 for malformed JSON instead of 401. The gate answers 401 from the headers alone. The
health checks stay open for probes; the API docs stay closed unless ``public_docs`` is set.
"""

import secrets

from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.asgi import send_json
from service.api.problems import problem_bytes

OPEN_PATHS = frozenset({"/healthz", "/readyz"})
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
HEADER = b"x-api-key"
UNAUTHORIZED = problem_bytes(401, "missing or wrong X-API-Key")


def key_matches(given: str | bytes | None, key: str) -> bool:
    """Constant-time comparison of a presented key with the configured one."""
    if given is None:
        return False
    presented = given if isinstance(given, bytes) else given.encode()
    return secrets.compare_digest(presented, key.encode())


class ApiKeyGate:
    """401 for every request without the configured key, except the open paths."""

    def __init__(self, app: ASGIApp, api_key: str | None, public_docs: bool = False) -> None:
        self.app = app
        self.api_key = api_key
        self.open_paths = OPEN_PATHS | DOCS_PATHS if public_docs else OPEN_PATHS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.api_key is None or scope["type"] != "http" or scope["path"] in self.open_paths:
            await self.app(scope, receive, send)
            return
        if key_matches(dict(scope["headers"]).get(HEADER), self.api_key):
            await self.app(scope, receive, send)
            return
        await send_json(send, 401, UNAUTHORIZED, (b"www-authenticate", b"ApiKey"))
