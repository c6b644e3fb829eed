"""Search evaluation: the best-of-top-k statistic on toys a reader can check, and both commands end to end
on tiny settings (fast variant, few cells, few epochs, small evolution)."""

import csv
import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import percentileofscore
from typer.testing import CliRunner

from trainer.search_eval.commands import app
from trainer.search_eval.experiments import best_of_top, judge, top_indices
from trainer.stats import mean_std, plus_minus

runner = CliRunner()


def test_best_of_top_is_the_best_truth_among_the_k_highest_scores() -> None:
    scores = np.array([0.9, 0.1, 0.5, 0.7])
    truth = np.array([90.0, 99.0, 91.0, 93.0])
    assert best_of_top(scores, truth, 1) == 90.0  # the top-scored cell is a poor one
    assert best_of_top(scores, truth, 2) == 93.0  # cells 0 and 3
    assert best_of_top(scores, truth, 3) == 93.0  # cells 0, 3, 2
    assert best_of_top(scores, truth, 4) == 99.0  # everything, the 99 included
    assert best_of_top(scores, truth, 10) == 99.0  # k beyond n takes all


def test_top_indices_best_first_and_ties_keep_order() -> None:
    assert top_indices(np.array([0.2, 0.8, 0.8, 0.5]), 3).tolist() == [1, 2, 3]


def test_best_of_top_rejects_mismatched_or_empty_input() -> None:
    with pytest.raises(ValueError, match="3 scores but 2 true values"):
        best_of_top(np.zeros(3), np.zeros(2), 1)
    with pytest.raises(ValueError, match="k >= 1"):
        best_of_top(np.zeros(3), np.zeros(3), 0)


def test_judge_and_mean_std() -> None:
    judged = judge(7, np.array([1.0, 3.0, 2.0]), np.array([5.0, 4.0, 6.0]), queried=3)
    assert (judged.best_valid, judged.best_test, judged.test_of_best_valid) == (3.0, 6.0, 4.0)
    # one definition for every table: the sample std (ddof 1), none for a single seed
    assert mean_std([1.0, 3.0]) == {"mean": 2.0, "std": pytest.approx(2**0.5), "n": 2}
    assert mean_std([5.0]) == {"mean": 5.0, "std": None, "n": 1}
    assert (plus_minus(mean_std([1.0, 3.0])), plus_minus(mean_std([5.0]))) == ("2.00 ± 1.41", "5.00")


def _table_rows(path: Path) -> dict[int, dict[str, str]]:
    with open(path, newline="") as f:
        return {int(r["index"]): r for r in csv.DictReader(f)}


def test_nb201_command_writes_per_repeat_numbers(nb201_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "nb201.json"
    args = ["nb201", "--output", str(out), "--dataset", "cifar100", "--variant", "mlp-pair", "--repeats", "2"]
    args += ["--epochs", "2", "--train-cells", "20", "--top-k", "5", "--no-progress"]
    result = runner.invoke(app, [*args, "--data-dir", str(nb201_path.parent)])
    assert result.exit_code == 0, result.output
    assert "| cifar100 | mlp-pair top-5 | 25 | 2 |" in result.output
    report = json.loads(out.read_text())
    assert report["complete"] is True
    assert report["settings"]["seeds"] == [0, 1]
    block = report["datasets"]["cifar100"]
    assert (block["train_label"], block["valid_column"], block["test_column"]) == (
        "cifar100_test",
        "e12_cifar100_valid",
        "cifar100_test",
    )
    assert block["optimum"]["test"] == pytest.approx(73.51, abs=0.01)
    table = _table_rows(nb201_path)
    repeats = block["variants"]["mlp-pair"]["repeats"]
    assert [r["seed"] for r in repeats] == [0, 1]
    for r in repeats:
        assert r["queried"] == 25 and r["evaluated"] == 8765 and len(r["top"]) == 5
        scores = [t["score"] for t in r["top"]]
        assert scores == sorted(scores, reverse=True)
        for t in r["top"]:  # every looked-up accuracy is the table's own for that benchmark index
            assert t["arch"] == table[t["index"]]["arch_str"]
            assert t["test"] == pytest.approx(float(table[t["index"]]["cifar100_test"]))
            assert t["valid"] == pytest.approx(float(table[t["index"]]["e12_cifar100_valid"]))
        assert r["best_test"] == max(t["test"] for t in r["top"])
        assert r["best_valid"] == max(t["valid"] for t in r["top"])
        assert r["best_test"] <= block["optimum"]["test"]
    randoms = block["random"]["repeats"]
    assert [(r["seed"], r["queried"]) for r in randoms] == [(0, 25), (1, 25)]
    assert all(r["test_of_best_valid"] <= r["best_test"] for r in randoms)
    assert len(block["params"]["repeats"]) == 1
    summary = runner.invoke(app, ["report", str(out)])
    assert summary.exit_code == 0, summary.output
    assert "| cifar100 mlp-pair | 2 |" in summary.output and "(complete)" in summary.output


def test_nb201_command_rejects_an_unknown_variant(tmp_path: Path) -> None:
    result = runner.invoke(app, ["nb201", "--output", str(tmp_path / "x.json"), "--variant", "renas9"])
    assert result.exit_code != 0
    assert not (tmp_path / "x.json").exists()


def _tiny_nb101_table(source: Path, folder: Path, rows: int = 400) -> np.ndarray:
    """The first ``rows`` cells of the real table, labelled so that the answer is known: accuracy
    grows with the parameter count, which the full tensor carries. Returns the labels in %."""
    folder.mkdir()
    lines = []
    with gzip.open(source, "rt") as f:
        for line, _ in zip(f, range(rows), strict=False):
            record = json.loads(line)
            record["val_accuracy"] = {**record["val_accuracy"], "108": 0.5 + record["params"] / 1e8}
            lines.append(json.dumps(record))
    with gzip.open(folder / source.name, "wt") as f:
        f.write("\n".join(lines) + "\n")
    return np.array([(0.5 + json.loads(line)["params"] / 1e8) * 100 for line in lines])


def test_nb101_command_ranks_and_evolves(nb101_path: Path, tmp_path: Path) -> None:
    accuracy = _tiny_nb101_table(nb101_path, tmp_path / "data")
    out = tmp_path / "nb101.json"
    args = ["nb101", "--output", str(out), "--variant", "mlp-pair", "--repeats", "2", "--epochs", "40"]
    args += ["--train-cells", "100", "--population", "8", "--generations", "3", "--no-progress"]
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    assert "| mlp-pair top-10 | 110 | 2 |" in result.output
    report = json.loads(out.read_text())
    assert report["complete"] is True and report["labelled_cells"] == 400
    assert report["best_labelled"] == pytest.approx(accuracy.max())
    assert [r["seed"] for r in report["repeats"]] == [0, 1]
    for r in report["repeats"]:
        assert r["ranked"] == 400 - 100 and len(r["top_accuracies"]) == 10
        assert r["best_top"] == max(r["top_accuracies"]) <= report["best_labelled"]
        # Recomputed from the table: a halved or misplaced percentile fails here.
        assert r["best_top_percentile"] == pytest.approx(
            percentileofscore(accuracy, r["best_top"], kind="weak")
        )
        assert r["random_best_percentile"] == pytest.approx(
            percentileofscore(accuracy, r["random_best"], kind="weak")
        )
        assert r["random_best"] in accuracy
        # The label is a function of what the tensor holds: a sign-flipped tau fails here.
        assert r["tau_held_out"] > 0.5
        assert r["best_top_percentile"] > 90
    evo = report["evolution"]
    assert (evo["seed"], evo["population"], evo["generations"]) == (0, 8, 3)
    assert 1 <= len(evo["top"]) <= 10
    assert evo["in_table"] == sum(t["val_accuracy"] is not None for t in evo["top"])
    assert all(len(t["hash"]) == 32 and t["params"] > 0 for t in evo["top"])
    assert 0 <= evo["labelled_at_least_last_top"] <= 400
    summary = runner.invoke(app, ["report", str(out)])
    assert summary.exit_code == 0, summary.output
    assert (
        "| mlp-pair | 2 |" in summary.output
        and "Evolution (seed 0, population 8, 3 generations" in summary.output
    )
