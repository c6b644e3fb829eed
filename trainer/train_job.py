"""The ``train`` job, run by a train worker: an ensemble trained on a study's told values (or on the
request's own labelled cells), exported to ONNX and stored with its card in the database.

Small data gets small batches (``trainer.train.batch_size_for`` and ``epochs_for``: the small-data
schedule): below a thousand cells the paper's batch of 1,024 means one optimiser step per epoch, so a
refit on 100 cells would learn almost nothing. By default every member trains on a bootstrap
resample, so each cell has members that never saw it: their mean score is the cell's out-of-bag
prediction, and its Kendall tau against the told values is the card's honest quality figure. With
``bootstrap`` off every member sees every cell (a better mean at a few dozen cells, no out-of-bag tau).
"""

import time
from collections.abc import Hashable

import numpy as np
import torch
from sqlalchemy import select

from service.inference.card import CUSTOM_DATASET, ModelCard, TrainingInfo
from service.inference.cells import parse_cells
from service.inference.stored import StoredModel, count_of_study, latest_of_study, save_model
from service.jobs.kind import JobContext, JobStopped
from service.spaces import Space
from service.studies import service as studies
from service.studies.models import Trial, TrialState
from service.training.schemas import TrainProgress, TrainRequest, TrainResult
from trainer.ensemble import EnsembleModule, member_seed, resamples
from trainer.export import SCORE_OUTPUT, SPREAD_OUTPUT, card_for, export_onnx_bytes
from trainer.metrics import kendall_tau
from trainer.train import TrainedModel, batch_size_for, epochs_for, train_predictor
from trainer.variants import get_variant

LABEL = "told value"  # a study model's card label: the user's own measurements


TORCH_THREADS = 1  # these networks are too small to gain from intra-op threads; more cores: more workers


def run(context: JobContext, request: TrainRequest) -> TrainResult:
    started = time.perf_counter()
    torch.set_num_threads(TORCH_THREADS)
    space = context.spaces[request.space]
    context.report(TrainProgress(fraction=0.0, stage="loading", members=request.members))
    with context.sessions() as db:
        if request.study is not None:
            study = studies.get_study(db, request.study)
            told = list(
                db.scalars(
                    select(Trial)
                    .where(Trial.study_id == study.id, Trial.state == TrialState.complete)
                    .order_by(Trial.number)
                )
            )
            latest = latest_of_study(db, study.id)
            if latest is not None and latest[1] == len(told):  # a tell's refit that an earlier one covered
                card = latest[0]
                return _result(card, len(told), started, up_to_date=True)
            objects, values, goal = [t.cell for t in told], [t.value for t in told], study.goal
            model_id = f"study-{study.id[:12]}-r{count_of_study(db, study.id) + 1}"
        else:
            assert request.cells is not None  # TrainRequest: a study or cells
            objects = [c.cell for c in request.cells]
            values, goal = [c.value for c in request.cells], request.goal
            model_id = f"train-{context.job_id[:12]}"
        existing = db.get(StoredModel, model_id)
        if existing is not None:  # this job stored it, then its worker died before finishing the job
            card = ModelCard.model_validate(existing.card)
            return _result(card, existing.trained_on, started)
    cells = parse_cells(space, objects)
    sign = 1.0 if goal == "maximize" else -1.0
    y = sign * np.asarray(values, dtype=np.float64)
    card, onnx = train_and_export(context, space, cells, y, request, model_id)
    with context.sessions() as db:
        save_model(db, card, onnx, trained_on=len(cells), study_id=request.study)
    return _result(card, len(cells), started)


def _result(card: ModelCard, cells: int, started: float, *, up_to_date: bool = False) -> TrainResult:
    """The job's result for the model ``card`` describes (new, or one stored before)."""
    return TrainResult(
        model=card.id,
        cells=cells,
        oob_kendall_tau=card.metrics.get("oob_kendall_tau"),
        seconds=time.perf_counter() - started,
        up_to_date=up_to_date,
    )


def train_and_export(
    context: JobContext,
    space: Space,
    cells: list[Hashable],
    y: np.ndarray,
    request: TrainRequest,
    model_id: str,
) -> tuple[ModelCard, bytes]:
    """The ensemble trained member by member (stopping when the job is cancelled), its card and ONNX."""
    variant = get_variant(request.variant)
    x = space.encode(cells, variant.encoding)
    epochs = request.epochs or epochs_for(len(cells))
    members: list[TrainedModel] = []
    samples = resamples(len(x), request.seed, request.members, bootstrap=request.bootstrap)
    for i, index in enumerate(samples):
        if context.should_stop():
            raise JobStopped
        context.report(
            TrainProgress(
                fraction=i / (request.members + 1), stage="training", members_done=i, members=request.members
            )
        )
        members.append(
            train_predictor(
                x[index],
                y[index],
                variant=variant.name,
                epochs=epochs,
                seed=member_seed(request.seed, i),
                batch_size=batch_size_for(len(x)),
            )
        )
    context.report(
        TrainProgress(
            fraction=request.members / (request.members + 1),
            stage="exporting",
            members_done=request.members,
            members=request.members,
        )
    )
    module = EnsembleModule([m.module for m in members])
    onnx = export_onnx_bytes(module, tuple(x.shape[1:]), x[:1024])
    metrics = {"train_cells": float(len(cells))}
    oob = out_of_bag_tau(members, samples, x, y)
    if oob is not None:
        metrics["oob_kendall_tau"] = oob
    source = f"study {request.study}" if request.study is not None else f"job {context.job_id}"
    card = card_for(
        onnx,
        model_id=model_id,
        space=space.name,
        dataset=CUSTOM_DATASET,
        label=LABEL,
        variant=variant.name,
        encoding=variant.encoding,
        encoding_version=space.encoding_version,
        input_shape=tuple(x.shape[1:]),
        training=TrainingInfo(
            cells=len(cells),
            seed=request.seed,
            epochs=epochs,
            data=source,
            command=f"train job {context.job_id}",
        ),
        metrics=metrics,
        members=request.members,
        spread_output=SPREAD_OUTPUT if request.members > 1 else None,
        output_name=SCORE_OUTPUT,
    )
    return card, onnx


def out_of_bag_tau(
    members: list[TrainedModel], samples: list[np.ndarray], x: np.ndarray, y: np.ndarray
) -> float | None:
    """Kendall tau of each cell's mean score over the members whose resample left it out; None when
    fewer than 3 cells were left out of any resample, or their values are all equal."""
    total, count = np.zeros(len(x)), np.zeros(len(x))
    for member, sample in zip(members, samples, strict=True):
        out = np.ones(len(x), dtype=bool)
        out[sample] = False
        if out.any():
            total[out] += member.predict(x[out])
            count[out] += 1
    scored = count > 0
    if scored.sum() < 3:
        return None
    tau = kendall_tau(y[scored], total[scored] / count[scored])
    return tau if np.isfinite(tau) else None  # all left-out values equal: nothing to rank
