"""POST /rank: the request's cells best first, with isomorphic duplicates pointed out."""

from typing import Annotated

from fastapi import APIRouter, Body

from service.api.deps import RegistryDep, SettingsDep
from service.api.limits import check_cell_count
from service.api.schemas import RANK_EXAMPLES, ModelInfo, RankedCell, RankRequest, RankResponse
from service.inference.predict import score_request
from service.inference.ranking import rank
from service.spaces import get_space

router = APIRouter(tags=["rank"])


@router.post(
    "/rank",
    response_model=RankResponse,
    responses={404: {"description": "no such model for the space"}, 413: {"description": "too many cells"}},
)
def rank_cells(
    body: Annotated[RankRequest, Body(openapi_examples=RANK_EXAMPLES)],
    registry: RegistryDep,
    settings: SettingsDep,
) -> RankResponse:
    check_cell_count(len(body.cells), settings)
    model = registry.pick(body.space, body.model, body.dataset)
    scored = score_request(model, get_space(body.space), body.cells, batch_size=settings.batch_size)
    entries = rank(scored.scores, scored.identities)[: body.top_k]
    return RankResponse(
        model=ModelInfo.of(model),
        ranking=[
            RankedCell(
                index=e.index,
                rank=e.rank,
                duplicate_of=e.duplicate_of,
                score=float(scored.scores[e.index]),
                hash=scored.identities[e.index],
                params=int(scored.params[e.index]),
                flops=int(scored.flops[e.index]),
            )
            for e in entries
        ],
    )
