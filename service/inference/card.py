"""The model card: the JSON written beside every shipped .onnx, read by the service at start-up.

The trainer writes it (``trainer/export.py``), the service reads it (``service/inference``); this
schema is the contract between them.
"""

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Self

from pydantic import BaseModel, Field, model_validator

from service.spaces import SPACES, SpaceName

# The dataset of a model trained on a user's own measurements (a study's refit, POST /train): the
# service cannot know what they measured; such models are asked for by id, never picked by dataset.
CUSTOM_DATASET = "custom"


class TrainingInfo(BaseModel):
    cells: int = Field(description="number of labelled cells the model was trained on")
    seed: int
    epochs: int | None = None
    data: str = Field(description="benchmark table the labels came from, e.g. nb101_20k.jsonl.gz")
    command: str = Field(description="the command that produced this model")


class ModelCard(BaseModel):
    id: str = Field(description="unique model id, e.g. nb101-renas6-all")
    space: SpaceName
    dataset: str = Field(description="what the label measures on, e.g. cifar10, cifar100, imagenet16-120")
    label: str = Field(description="training label, e.g. 'val_accuracy@108' or 'cifar100_test'")
    variant: str = Field(description="model family and loss, e.g. renas6, renas3, rf")
    encoding: str = Field(description="name of the space's encoding the model reads, e.g. renas-full")
    encoding_version: int
    input_name: str = "x"
    output_name: str = "score"
    spread_output: str | None = Field(
        None,
        description="the output holding the spread (std) across the ensemble members' scores; "
        "null for single models",
    )
    members: int = Field(1, ge=1, description="predictors averaged into the score (1: a single model)")
    input_shape: list[int | None] = Field(description="[None, C, H, W]: dynamic batch axis first")
    default: bool = Field(False, description="the model picked for its space and dataset when none is named")
    training: TrainingInfo
    metrics: dict[str, float] = Field(default_factory=dict, description="measured on held-out cells")
    onnx_file: str = Field(description="file name of the .onnx beside this card")
    sha256: str = Field(description="sha256 of the .onnx file")
    created: datetime
    package_version: str

    @model_validator(mode="after")
    def _dataset_of_the_space(self) -> Self:
        datasets = (*SPACES[self.space].datasets, CUSTOM_DATASET)
        if self.dataset not in datasets:
            raise ValueError(
                f"space {self.space} has no dataset {self.dataset!r}; known: {', '.join(datasets)}"
            )
        return self


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
