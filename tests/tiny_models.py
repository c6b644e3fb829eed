"""Tiny ONNX predictors and their model cards, written into a temporary models folder for tests.

Each model is a fixed random linear layer over the flattened encoding: cheap, deterministic, and
sensitive to every number of the encoding (so isomorphic cells scoring equal is a real check). An
ensemble is K such layers, answering their mean score and their spread (population std).
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from service.inference.card import ModelCard, TrainingInfo, sha256_file
from service.spaces import get_space


def linear_weights(size: int, seed: int) -> np.ndarray:
    """The (size, 1) float32 weights of the model made with ``seed``: N(0, 1) draws."""
    return np.random.default_rng(seed).standard_normal((size, 1)).astype(np.float32)


def linear_onnx(shape: tuple[int, ...], seed: int) -> onnx.ModelProto:
    """x [N, *shape] -> score [N] = flatten(x) @ linear_weights(size, seed)."""
    w = linear_weights(int(np.prod(shape)), seed)
    graph = helper.make_graph(
        [
            helper.make_node("Reshape", ["x", "flat_shape"], ["flat"]),
            helper.make_node("MatMul", ["flat", "w"], ["column"]),
            helper.make_node("Squeeze", ["column", "axis1"], ["score"]),
        ],
        "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, *shape])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, [None])],
        [
            numpy_helper.from_array(w, "w"),
            numpy_helper.from_array(np.array([0, -1], dtype=np.int64), "flat_shape"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def ensemble_onnx(shape: tuple[int, ...], seeds: Sequence[int]) -> onnx.ModelProto:
    """x [N, *shape] -> score [N], spread [N]: mean and population std of the members'
    flatten(x) @ linear_weights(size, seed), one member per seed."""
    size = int(np.prod(shape))
    w = np.concatenate([linear_weights(size, seed) for seed in seeds], axis=1)
    graph = helper.make_graph(
        [
            helper.make_node("Reshape", ["x", "flat_shape"], ["flat"]),
            helper.make_node("MatMul", ["flat", "w"], ["members"]),  # [N, K]
            helper.make_node("ReduceMean", ["members"], ["score"], axes=[1], keepdims=0),
            helper.make_node("ReduceMean", ["members"], ["column_mean"], axes=[1], keepdims=1),
            helper.make_node("Sub", ["members", "column_mean"], ["centred"]),
            helper.make_node("Mul", ["centred", "centred"], ["squares"]),
            helper.make_node("ReduceMean", ["squares"], ["variance"], axes=[1], keepdims=0),
            helper.make_node("Sqrt", ["variance"], ["spread"]),
        ],
        "ensemble",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, *shape])],
        [
            helper.make_tensor_value_info("score", TensorProto.FLOAT, [None]),
            helper.make_tensor_value_info("spread", TensorProto.FLOAT, [None]),
        ],
        [
            numpy_helper.from_array(w, "w"),
            numpy_helper.from_array(np.array([0, -1], dtype=np.int64), "flat_shape"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write_model(
    models_dir: Path,
    model_id: str,
    space_name: str,
    *,
    dataset: str,
    default: bool = False,
    seed: int = 0,
    member_seeds: Sequence[int] = (),
) -> ModelCard:
    """A tiny model for ``space_name`` (its default encoding) and its card, in ``models_dir``.

    With ``member_seeds`` it is an ensemble of one linear member per seed, with a spread output.
    """
    space = get_space(space_name)
    shape = tuple(space.encodings[space.default_encoding])
    onnx_path = models_dir / f"{model_id}.onnx"
    onnx.save(ensemble_onnx(shape, member_seeds) if member_seeds else linear_onnx(shape, seed), onnx_path)
    card = ModelCard(
        id=model_id,
        space=space_name,  # type: ignore[arg-type]
        dataset=dataset,
        label="test",
        variant="linear",
        encoding=space.default_encoding,
        encoding_version=space.encoding_version,
        input_shape=[None, *shape],
        default=default,
        spread_output="spread" if member_seeds else None,
        members=max(1, len(member_seeds)),
        training=TrainingInfo(cells=0, seed=seed, data="none", command="tests/tiny_models.py"),
        onnx_file=onnx_path.name,
        sha256=sha256_file(onnx_path),
        created=datetime.now(UTC),
        package_version="0.0.0-test",
    )
    (models_dir / f"{model_id}.json").write_text(card.model_dump_json(indent=2))
    return card


def write_test_models(models_dir: Path) -> None:
    """nb101: one model; nb201: a cifar10 default, a second cifar10 model and a cifar100 model."""
    models_dir.mkdir(parents=True, exist_ok=True)
    write_model(models_dir, "nb101-tiny", "nb101", dataset="cifar10", seed=1)
    write_model(models_dir, "nb201-a-other", "nb201", dataset="cifar10", seed=2)
    write_model(models_dir, "nb201-b-default", "nb201", dataset="cifar10", default=True, seed=3)
    write_model(models_dir, "nb201-c100", "nb201", dataset="cifar100", seed=4)
