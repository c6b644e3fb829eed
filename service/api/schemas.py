"""Request and response bodies of the prediction routes (the job routes' are in service.jobs.schemas)."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.inference.registry import LoadedModel
from service.spaces import SpaceName

# Real cells, valid as pasted. NB-101: the nasbench README's example cell, and a 3-vertex cell.
NB101_CELL = {
    "matrix": [
        [0, 1, 1, 1, 0, 1, 0],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 0],
    ],
    "ops": [
        "input", "conv1x1-bn-relu", "conv3x3-bn-relu", "conv3x3-bn-relu", "conv3x3-bn-relu",
        "maxpool3x3", "output",
    ],
}  # fmt: skip
NB101_SMALL_CELL = {
    "matrix": [[0, 1, 0], [0, 0, 1], [0, 0, 0]],
    "ops": ["input", "conv3x3-bn-relu", "output"],
}
NB201_ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
NB201_OTHER = (
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
)


class CellsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    space: SpaceName
    model: str | None = Field(None, description="model id (see GET /models); default: the space's default")
    dataset: str | None = Field(None, description="pick the default model trained for this dataset")
    cells: list[dict[str, Any]] = Field(
        min_length=1,
        description='nb101: {"matrix": n x n 0/1, "ops": n labels}; '
        'nb201: {"arch": "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|"} or {"matrix": 4 x 4 op names}',
    )


class RankRequest(CellsRequest):
    top_k: int | None = Field(None, ge=1, strict=True, description="return only the best top_k entries")


PREDICT_EXAMPLES = {
    "nb101": {
        "summary": "two NAS-Bench-101 cells",
        "value": {"space": "nb101", "cells": [NB101_CELL, NB101_SMALL_CELL]},
    },
    "nb201": {
        "summary": "two NAS-Bench-201 cells",
        "value": {"space": "nb201", "cells": [{"arch": NB201_ARCH}, {"arch": NB201_OTHER}]},
    },
}
RANK_EXAMPLES = {
    "nb101": {
        "summary": "rank NAS-Bench-101 cells, keep the best 2",
        "value": {"space": "nb101", "top_k": 2, "cells": [NB101_SMALL_CELL, NB101_CELL, NB101_SMALL_CELL]},
    },
    "nb201": {
        "summary": "rank NAS-Bench-201 cells",
        "value": {"space": "nb201", "cells": [{"arch": NB201_OTHER}, {"arch": NB201_ARCH}]},
    },
}


class ModelInfo(BaseModel):
    id: str
    sha256: str
    space: str
    dataset: str
    label: str
    variant: str
    encoding: str
    providers: list[str] = Field(description="ONNX Runtime execution providers in use")
    members: int = Field(description="predictors averaged into each score (1: a single model)")
    has_spread: bool = Field(description="whether each score comes with the spread across ensemble members")

    @classmethod
    def of(cls, model: LoadedModel) -> "ModelInfo":
        card = model.card
        return cls(
            id=card.id, sha256=card.sha256, space=card.space, dataset=card.dataset, label=card.label,
            variant=card.variant, encoding=card.encoding, providers=model.providers, members=card.members,
            has_spread=card.spread_output is not None,
        )  # fmt: skip


class Prediction(BaseModel):
    index: int
    score: float = Field(description="higher = predicted better; comparable within one model only")
    spread: float | None = Field(
        description="std of the ensemble members' scores for this cell, on the score's scale (large: the "
        "members disagree, the score is uncertain); null for a model without one"
    )
    hash: str = Field(description="canonical identity: equal for isomorphic cells")
    params: int = Field(description="trainable parameters of the whole network")
    flops: int = Field(description="multiply-adds of the whole network")


class PredictResponse(BaseModel):
    model: ModelInfo
    predictions: list[Prediction] = Field(description="in input order")


class RankedCell(Prediction):
    rank: int = Field(description="1 = best")
    duplicate_of: int | None = Field(
        None, description="index of the first cell in the request isomorphic to this one"
    )


class RankResponse(BaseModel):
    model: ModelInfo
    ranking: list[RankedCell] = Field(description="best first")
