"""Large responses serialized straight to JSON.

A /rank over all 15,625 NB-201 cells has 15,625 entries; building a pydantic model per entry and
letting FastAPI re-validate them costs more than scoring the cells, so these routes return plain
dicts serialized by pydantic-core. Their shape is still the route's ``response_model`` (documented
in OpenAPI, and checked against it in the tests).
"""

from typing import Any

import pydantic_core
from fastapi import Response


def json_response(content: dict[str, Any]) -> Response:
    return Response(pydantic_core.to_json(content), media_type="application/json")
