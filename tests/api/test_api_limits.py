"""413 for too many cells and for bodies over the byte limit, declared or streamed."""

from collections.abc import Iterator

from cells import NB101_CHAIN
from service_apps import ClientFactory


def test_limits(app_factory: ClientFactory) -> None:
    with app_factory(max_cells_per_request=3, max_body_bytes=2000) as client:
        ok = {"space": "nb101", "cells": [NB101_CHAIN] * 3}
        assert client.post("/predict", json=ok).status_code == 200

        too_many = {"space": "nb101", "cells": [NB101_CHAIN] * 4}
        for path in ("/predict", "/rank"):
            response = client.post(path, json=too_many)
            assert response.status_code == 413
            assert "4 cells in one request; at most 3" in response.json()["detail"][0]["msg"]

        big = b'{"space": "nb101", "cells": [' + b" " * 3000 + b"]}"
        response = client.post("/predict", content=big, headers={"content-type": "application/json"})
        assert response.status_code == 413
        assert "2000 bytes" in response.json()["detail"][0]["msg"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams in
            yield b'{"space": "nb101", "cells": ['
            for _ in range(10):
                yield b" " * 500
            yield b"]}"

        response = client.post("/rank", content=chunks(), headers={"content-type": "application/json"})
        assert response.status_code == 413

        assert client.get("/healthz").status_code == 200  # still serving
