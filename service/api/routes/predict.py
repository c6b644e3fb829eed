"""POST /predict: a score, identity and cost for every cell, in input order."""

from typing import Annotated

from fastapi import APIRouter, Body, Response

from service.api.deps import RegistryDep, SettingsDep, SpacesDep
from service.api.limits import check_cell_count
from service.api.offload import run_sized
from service.api.problems import documented
from service.api.responses import json_response
from service.api.schemas import PREDICT_EXAMPLES, CellsRequest, ModelInfo, PredictResponse
from service.core.metrics import REQUEST_CELLS
from service.inference.predict import score_request
from service.inference.registry import LoadedModel
from service.spaces import Space

router = APIRouter(tags=["predict"])


@router.post(
    "/predict",
    response_model=PredictResponse,
    responses=documented({404: "no such model for the space", 413: "too many cells, or too large a body"}),
)
async def predict(
    body: Annotated[CellsRequest, Body(openapi_examples=PREDICT_EXAMPLES)],
    registry: RegistryDep,
    settings: SettingsDep,
    spaces: SpacesDep,
) -> Response:
    check_cell_count(len(body.cells), settings)
    REQUEST_CELLS.labels("/predict").observe(len(body.cells))
    model = registry.pick(body.space, body.model, body.dataset)
    return await run_sized(
        len(body.cells), predictions_response, model, spaces[body.space], body, batch_size=settings.batch_size
    )


def predictions_response(
    model: LoadedModel, space: Space, body: CellsRequest, *, batch_size: int
) -> Response:
    scored = score_request(model, space, body.cells, batch_size=batch_size)
    columns = zip(
        scored.scores.tolist(),
        scored.spread_values(),
        scored.identities,
        scored.params.tolist(),
        scored.flops.tolist(),
        strict=True,
    )
    predictions = [
        {"index": i, "score": score, "spread": spread, "hash": identity, "params": params, "flops": flops}
        for i, (score, spread, identity, params, flops) in enumerate(columns)
    ]
    return json_response({"model": ModelInfo.of(model).model_dump(), "predictions": predictions})
