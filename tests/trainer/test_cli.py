"""renas-train end to end on real cells: train -> .onnx + valid card -> evaluate -> export from checkpoint."""

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from typer.testing import CliRunner

from service.inference.card import ModelCard, sha256_file
from trainer.cli import app
from trainer.data import load_labelled
from trainer.pipeline import fit_on_split

runner = CliRunner()


def test_train_evaluate_export(nb201_path: Path, tmp_path: Path) -> None:
    data_dir = str(nb201_path.parent)
    args = ["train", "--space", "nb201", "--dataset", "cifar100", "--train-size", "300", "--epochs", "3"]
    args += ["--variant", "renas6", "--out-dir", str(tmp_path), "--model-id", "t", "--data-dir", data_dir]
    result = runner.invoke(app, [*args, "--checkpoint", str(tmp_path / "t.pt")])
    assert result.exit_code == 0, result.output
    card = ModelCard.model_validate_json((tmp_path / "t.json").read_text())
    assert card.sha256 == sha256_file(tmp_path / "t.onnx")
    assert (card.space, card.dataset, card.label, card.encoding) == (
        "nb201",
        "cifar100",
        "cifar100_test",
        "renas-full",
    )
    assert card.input_shape == [None, 7, 8, 8] and card.training.cells == 300
    assert card.metrics["heldout_cells"] == 15625 - 300 and "renas-train train" in card.training.command

    result = runner.invoke(app, ["evaluate", str(tmp_path / "t.onnx"), "--data-dir", data_dir])
    assert result.exit_code == 0, result.output
    assert f"Kendall tau {card.metrics['kendall_tau']:.4f} on 15325 cells" in result.output

    out = tmp_path / "again"
    result = runner.invoke(
        app, ["export", str(tmp_path / "t.pt"), "--out-dir", str(out), "--data-dir", data_dir]
    )
    assert result.exit_code == 0, result.output
    again = ModelCard.model_validate_json((out / "t.json").read_text())
    assert again.metrics == card.metrics and again.training == card.training


def test_train_an_ensemble(nb201_path: Path, tmp_path: Path) -> None:
    """--members 2: two members, a graph with a spread output, and a card that says so."""
    data_dir = str(nb201_path.parent)
    args = ["train", "--space", "nb201", "--dataset", "cifar10", "--train-size", "60", "--epochs", "2"]
    args += ["--members", "2", "--out-dir", str(tmp_path), "--data-dir", data_dir]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    card = ModelCard.model_validate_json((tmp_path / "nb201-path-pair-aux-cifar10-60-s0-k2.json").read_text())
    assert (card.members, card.spread_output, card.output_name) == (2, "spread", "score")
    assert card.training.cells == 60 and "--members 2" in card.training.command
    session = ort.InferenceSession(str(tmp_path / card.onnx_file), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["score", "spread"]
    result = runner.invoke(app, ["evaluate", str(tmp_path / card.onnx_file), "--data-dir", data_dir])
    assert result.exit_code == 0, result.output
    assert f"Kendall tau {card.metrics['kendall_tau']:.4f} on 15565 cells" in result.output


def test_train_an_ensemble_of_members_on_every_cell(nb201_path: Path, tmp_path: Path) -> None:
    """--no-bootstrap: the members differ by seed only, as Table 1's -x5 ensembles (the command says so);
    a variant with the auxiliary loss gets the table's cheaper labels."""
    args = ["train", "--space", "nb201", "--train-size", "60", "--epochs", "2", "--members", "2"]
    args += ["--variant", "path-pair-aux-sb", "--no-bootstrap", "--out-dir", str(tmp_path)]
    args += ["--data-dir", str(nb201_path.parent)]
    result = runner.invoke(app, [*args, "--model-id", "e"])
    assert result.exit_code == 0, result.output
    card = ModelCard.model_validate_json((tmp_path / "e.json").read_text())
    assert "--no-bootstrap" in card.training.command and card.members == 2
    assert card.variant == "path-pair-aux-sb"
    data = load_labelled("nb201", data_dir=nb201_path.parent)
    x = data.encode("renas-full", np.arange(200))
    session = ort.InferenceSession(str(tmp_path / "e.onnx"), providers=["CPUExecutionProvider"])
    served = session.run(["score"], {"x": x})[0]
    for bootstrap, same in ((False, True), (True, False)):
        fit = fit_on_split(
            data, variant="path-pair-aux-sb", train=60, seed=0, epochs=2, members=2, bootstrap=bootstrap
        )
        assert np.allclose(served, fit.model.predict(x)[0], atol=1e-5) == same, bootstrap


def test_an_ensemble_has_no_checkpoint(tmp_path: Path) -> None:
    args = ["train", "--space", "nb201", "--members", "3", "--checkpoint", str(tmp_path / "e.pt")]
    result = runner.invoke(app, [*args, "--out-dir", str(tmp_path)])
    assert result.exit_code == 2 and "single models" in result.output


def test_a_mean_of_seeds_variant_is_not_served(tmp_path: Path) -> None:
    args = ["train", "--space", "nb201", "--variant", "gnn-pair-sb-x5", "--out-dir", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "--members" in result.output


def test_unknown_variant_is_a_usage_error(tmp_path: Path) -> None:
    """A one-line message naming the variant and the known ones, exit code 2, no traceback."""
    args = ["train", "--space", "nb201", "--variant", "renas9", "--out-dir", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, KeyError)
    assert "unknown variant 'renas9'" in result.output and "gnn-pair" in result.output


@pytest.mark.parametrize("command", ["train", "evaluate", "export"])
def test_help_explains_each_command(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_help_lists_the_evaluation_sub_apps() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "table1" in result.output and "search-eval" in result.output
