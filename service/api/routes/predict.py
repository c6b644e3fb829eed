"""POST /predict: a score, identity and cost for every cell, in input order."""

from typing import Annotated

from fastapi import APIRouter, Body

from service.api.deps import RegistryDep, SettingsDep
from service.api.limits import check_cell_count
from service.api.schemas import PREDICT_EXAMPLES, CellsRequest, ModelInfo, Prediction, PredictResponse
from service.inference.predict import score_request
from service.spaces import get_space

router = APIRouter(tags=["predict"])


@router.post(
    "/predict",
    response_model=PredictResponse,
    responses={404: {"description": "no such model for the space"}, 413: {"description": "too many cells"}},
)
def predict(
    body: Annotated[CellsRequest, Body(openapi_examples=PREDICT_EXAMPLES)],
    registry: RegistryDep,
    settings: SettingsDep,
) -> PredictResponse:
    check_cell_count(len(body.cells), settings)
    model = registry.pick(body.space, body.model, body.dataset)
    scored = score_request(model, get_space(body.space), body.cells, batch_size=settings.batch_size)
    return PredictResponse(
        model=ModelInfo.of(model),
        predictions=[
            Prediction(
                index=i,
                score=float(scored.scores[i]),
                hash=scored.identities[i],
                params=int(scored.params[i]),
                flops=int(scored.flops[i]),
            )
            for i in range(len(scored.identities))
        ],
    )
