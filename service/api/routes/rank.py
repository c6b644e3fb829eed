"""POST /rank: the request's cells best first, with isomorphic duplicates pointed out."""

from typing import Annotated

from fastapi import APIRouter, Body, Response

from service.api.deps import RegistryDep, SettingsDep, SpacesDep
from service.api.limits import check_cell_count
from service.api.offload import run_sized
from service.api.problems import documented
from service.api.responses import json_response
from service.api.schemas import RANK_EXAMPLES, ModelInfo, RankRequest, RankResponse
from service.core.metrics import REQUEST_CELLS
from service.inference.predict import score_request
from service.inference.ranking import first_occurrences, rank_order
from service.inference.registry import LoadedModel
from service.spaces import Space

router = APIRouter(tags=["rank"])


@router.post(
    "/rank",
    response_model=RankResponse,
    responses=documented({404: "no such model for the space", 413: "too many cells, or too large a body"}),
)
async def rank_cells(
    body: Annotated[RankRequest, Body(openapi_examples=RANK_EXAMPLES)],
    registry: RegistryDep,
    settings: SettingsDep,
    spaces: SpacesDep,
) -> Response:
    check_cell_count(len(body.cells), settings)
    REQUEST_CELLS.labels("/rank").observe(len(body.cells))
    model = registry.pick(body.space, body.model, body.dataset)
    return await run_sized(
        len(body.cells), ranking_response, model, spaces[body.space], body, batch_size=settings.batch_size
    )


def ranking_response(model: LoadedModel, space: Space, body: RankRequest, *, batch_size: int) -> Response:
    scored = score_request(model, space, body.cells, batch_size=batch_size)
    scores, spread = scored.scores.tolist(), scored.spread_values()
    params, flops = scored.params.tolist(), scored.flops.tolist()
    duplicate_of = first_occurrences(scored.identities)
    ranking = [
        {
            "index": i,
            "rank": position,
            "duplicate_of": duplicate_of[i],
            "score": scores[i],
            "spread": spread[i],
            "hash": scored.identities[i],
            "params": params[i],
            "flops": flops[i],
        }
        for position, i in enumerate(rank_order(scored.scores)[: body.top_k], start=1)
    ]
    return json_response({"model": ModelInfo.of(model).model_dump(), "ranking": ranking})
