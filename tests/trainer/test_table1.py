"""The Table-1 harness on a tiny slice of NB201: records, resuming, and tau on exactly the held-out cells."""

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import kendalltau
from typer.testing import CliRunner

from trainer.data import load_labelled, split
from trainer.table1.commands import app
from trainer.table1.plan import Entry, capped_epochs, parse_size, plan
from trainer.table1.report import markdown_table, projected_seconds, summarize
from trainer.table1.store import finished_keys

LIMIT, SIZE, EPOCHS = 240, 40, 2
METHODS = "renas6,mlp-pair,gnn-pair-aux,rf,params"  # gnn-pair-aux: the table's auxiliary labels reach it
FIELDS = {
    "key", "space", "method", "size", "seed", "epochs", "label", "n_cells", "n_train", "n_held_out",
    "tau_held_out", "tau_all", "seconds", "finished_at", "dataset", "spread_calibration",
}  # fmt: skip


def _run(out: Path, data_dir: Path, seeds: int) -> list[dict]:
    args = [
        "run",
        "nb201",
        "--out",
        str(out),
        "--sizes",
        str(SIZE),
        "--seeds",
        str(seeds),
        "--epochs",
        str(EPOCHS),
    ]
    args += ["--methods", METHODS, "--limit", str(LIMIT), "--data-dir", str(data_dir)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in (out / "nb201.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def first_run(nb201_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("table1")
    return out, _run(out, nb201_path.parent, seeds=1)


def test_records_have_every_field_and_the_split_sizes(first_run: tuple[Path, list[dict]]) -> None:
    out, records = first_run
    assert [r["method"] for r in records] == METHODS.split(",")
    for r in records:
        assert set(r) == FIELDS
        assert (r["n_cells"], r["n_train"], r["n_held_out"]) == (LIMIT, SIZE, LIMIT - SIZE)
        assert (r["label"], r["dataset"]) == ("cifar10_valid", "cifar10")
        assert -1 <= r["tau_held_out"] <= 1 and r["seconds"] >= 0
        assert r["spread_calibration"] is None  # single models and baselines have no spread
        assert (out / "preds" / f"{Entry('nb201', r['method'], SIZE, 0, EPOCHS).stem}.npy").is_file()


def test_tau_is_computed_on_exactly_the_held_out_cells(
    first_run: tuple[Path, list[dict]], nb201_path: Path
) -> None:
    out, records = first_run
    y = load_labelled("nb201", "cifar10", nb201_path.parent).y[:LIMIT]
    train, held_out = split(LIMIT, SIZE, 0)
    assert not set(train) & set(held_out) and len(train) + len(held_out) == LIMIT
    for r in records:
        scores = np.load(out / "preds" / f"{Entry('nb201', r['method'], SIZE, 0, EPOCHS).stem}.npy")
        assert scores.shape == (LIMIT,)
        assert r["tau_held_out"] == pytest.approx(
            kendalltau(y[held_out], scores[held_out]).statistic, abs=1e-6
        )
        assert r["tau_all"] == pytest.approx(kendalltau(y, scores).statistic, abs=1e-6)
        if r["method"] != "params":  # fitted methods see the training cells, so the two taus differ
            assert r["tau_held_out"] != pytest.approx(r["tau_all"], abs=1e-9)


def test_a_restart_runs_only_the_missing_entries(
    first_run: tuple[Path, list[dict]], nb201_path: Path
) -> None:
    out, before = first_run
    after = _run(out, nb201_path.parent, seeds=2)
    assert after[: len(before)] == before  # finished entries untouched, not redone
    assert [(r["method"], r["seed"]) for r in after[len(before) :]] == [(m, 1) for m in METHODS.split(",")]
    assert _run(out, nb201_path.parent, seeds=2) == after  # nothing left to do


def test_summary_json_keeps_every_per_seed_number(
    first_run: tuple[Path, list[dict]], nb201_path: Path
) -> None:
    out, _ = first_run
    records = _run(out, nb201_path.parent, seeds=2)
    result = CliRunner().invoke(app, ["summarize", "nb201", "--out", str(out), "--json", str(out / "s.json")])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "s.json").read_text())
    assert len(summary["records"]) == len(records)
    row = next(r for r in summary["rows"] if r["method"] == "renas6")
    taus = [r["tau_held_out"] for r in records if r["method"] == "renas6"]
    assert row["n_seeds"] == 2 and row["tau_held_out"]["per_seed"] == pytest.approx(taus)
    assert row["tau_held_out"]["mean"] == pytest.approx(np.mean(taus))
    assert "| renas6 |" in result.output and "not run" in result.output  # default sizes were not run


def test_plan_runs_small_sizes_first_and_every_method_per_seed() -> None:
    entries = plan("nb201", ["a", "b"], [78, 156], range(2), 200)
    assert [(e.size, e.seed, e.method) for e in entries[:4]] == [
        (78, 0, "a"),
        (78, 0, "b"),
        (78, 1, "a"),
        (78, 1, "b"),
    ]
    assert len({e.key for e in entries}) == 8


@pytest.mark.parametrize(
    ("n_train", "epochs"), [(20, 200), (2_000, 200), (2_048, 200), (2_049, 134), (6_000, 67), (18_001, 23)]
)
def test_a_step_cap_cuts_epochs_only_where_200_epochs_would_exceed_it(n_train: int, epochs: int) -> None:
    capped = capped_epochs(n_train, 200, 400)
    assert capped == epochs
    batches = -(-n_train // 1024)
    assert capped * batches >= 400 or capped == 200  # the cap is reached, never undershot by an epoch
    assert (capped - 1) * batches < 400
    assert capped_epochs(n_train, 200, None) == 200


def test_capped_plans_keep_baseline_keys_and_mark_trained_methods_by_their_epochs() -> None:
    entries = plan("nb101", ["renas6", "rf"], [0.1, 0.9], [0], 200, n_cells=20_001, max_steps=400)
    assert [e.key for e in entries] == [
        "nb101|renas6|0.1|0|200",  # 2 batches an epoch: the paper's 200 epochs fit the cap
        "nb101|rf|0.1|0|200",
        "nb101|renas6|0.9|0|23",  # 18 batches an epoch
        "nb101|rf|0.9|0|200",
    ]
    with pytest.raises(ValueError, match="n_cells"):
        plan("nb101", ["renas6"], [0.9], [0], 200, max_steps=400)


def test_a_small_data_variant_takes_its_schedules_epochs_whatever_the_cap() -> None:
    entries = plan("nb101", ["gnn-pair-sb", "gnn-pair"], [100, 424], [0], 200, n_cells=20_001, max_steps=400)
    assert [e.key for e in entries] == [
        "nb101|gnn-pair-sb|100|0|200",  # 7 batches of 16 an epoch: 200 epochs, 1,400 steps
        "nb101|gnn-pair|100|0|200",  # one batch of 1,024 an epoch: 200 steps
        "nb101|gnn-pair-sb|424|0|188",  # 8 batches of 53: 1,504 steps
        "nb101|gnn-pair|424|0|200",
    ]
    with pytest.raises(ValueError, match="n_cells"):
        plan("nb101", ["gnn-pair-sb"], [100], [0], 200)


def test_a_torn_last_line_is_not_counted_as_finished(tmp_path: Path) -> None:
    jsonl = tmp_path / "nb101.jsonl"
    jsonl.write_text(json.dumps({"key": "k1"}) + "\n" + '{"key": "k2", "tau')
    assert finished_keys(jsonl) == {"k1"}


def test_missing_table_cells_read_not_run() -> None:
    row = {"method": "renas6", "label": "renas6", "size": 0.01, "n_seeds": 1}
    row["tau_held_out"] = {"mean": 0.5, "std": None}
    table = markdown_table([row], [0.001, 0.01], "tau_held_out")
    assert "| renas6 | not run | 0.500 (1) |" in table


@pytest.mark.parametrize(("text", "size"), [("0.001", 0.001), ("78", 78), ("1563", 1563)])
def test_sizes_are_fractions_or_counts(text: str, size: float | int) -> None:
    assert parse_size(text) == size and type(parse_size(text)) is type(size)


@pytest.mark.parametrize("text", ["0", "1", "2.5", "-3"])
def test_bad_sizes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="must be a fraction"):
        parse_size(text)


def test_summary_std_needs_two_seeds() -> None:
    base = {"method": "rf", "size": 78, "n_train": 78, "epochs": 200, "tau_all": 0.5, "seconds": 1.0}
    rows = summarize([{**base, "seed": 0, "tau_held_out": 0.4}, {**base, "seed": 1, "tau_held_out": 0.6}])
    assert rows[0]["tau_held_out"]["mean"] == pytest.approx(0.5)
    assert rows[0]["tau_held_out"]["std"] == pytest.approx(np.std([0.4, 0.6], ddof=1))


def test_longer_runs_of_a_grid_entry_get_their_own_row() -> None:
    base = {"method": "gnn-pair", "size": 0.9, "n_train": 18001, "tau_all": 0.9, "seconds": 1.0}
    records = [
        {**base, "seed": 0, "epochs": 23, "tau_held_out": 0.87},
        {**base, "seed": 1, "epochs": 23, "tau_held_out": 0.87},
        {**base, "seed": 0, "epochs": 100, "tau_held_out": 0.88},
    ]
    rows = summarize(records)
    assert [(r["label"], r["n_seeds"]) for r in rows] == [("gnn-pair", 2), ("gnn-pair, 100 epochs", 1)]
    table = markdown_table(rows, [0.9], "tau_held_out")
    assert "| gnn-pair | 0.870 ± 0.000 (2) |" in table and "| gnn-pair, 100 epochs | 0.880 (1) |" in table


def test_projection_counts_measured_means_and_scales_the_rest_by_training_cells() -> None:
    rows = [{"method": "rf", "size": 78, "n_train": 78, "mean_seconds": 2.0}]
    assert projected_seconds(rows, 15625, [78, 156], seeds=5) == {
        "measured_part": 10,
        "estimated_part": 20,
        "total": 30,
    }


def test_the_seconds_table_shows_mean_seconds_a_run() -> None:
    row = {"method": "gbt", "label": "gbt", "size": 78, "n_seeds": 2, "mean_seconds": 3.25}
    assert "| gbt | 3.2 (2) |" in markdown_table([row], [78], "seconds")


def test_other_labels_go_to_their_own_file_and_an_ensemble_records_its_calibration(
    nb201_path: Path, tmp_path: Path
) -> None:
    args = ["run", "nb201", "--out", str(tmp_path), "--sizes", str(SIZE), "--seeds", "1"]
    args += [
        "--methods",
        "params,gnn-pair-sb-x5",
        "--limit",
        str(LIMIT),
        "--data-dir",
        str(nb201_path.parent),
    ]
    args += ["--dataset", "cifar100"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "nb201.jsonl").exists()
    params, ensemble = [
        json.loads(line) for line in (tmp_path / "nb201-cifar100.jsonl").read_text().splitlines()
    ]
    for r in (params, ensemble):
        assert (r["label"], r["dataset"]) == ("cifar100_test", "cifar100")
        assert r["key"].endswith("|cifar100")
    y = load_labelled("nb201", "cifar100", nb201_path.parent).y[:LIMIT]
    scores = np.load(tmp_path / "preds" / f"{Entry('nb201', 'params', SIZE, 0, 200, 'cifar100').stem}.npy")
    assert params["tau_all"] == pytest.approx(kendalltau(y, scores).statistic, abs=1e-6)
    assert params["spread_calibration"] is None and -1 <= ensemble["spread_calibration"] <= 1
    summary = ["summarize", "nb201", "--out", str(tmp_path), "--dataset", "cifar100"]
    result = CliRunner().invoke(app, [*summary, "--metric", "spread_calibration"])
    assert result.exit_code == 0, result.output
    assert "| gnn-pair-sb-x5 |" in result.output and "| params |" not in result.output


def test_an_unknown_dataset_is_refused(nb201_path: Path, tmp_path: Path) -> None:
    args = [
        "run",
        "nb101",
        "--out",
        str(tmp_path),
        "--dataset",
        "cifar100",
        "--data-dir",
        str(nb201_path.parent),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "no labels for space 'nb101'" in result.output
