"""study-eval: every method evaluates distinct networks of the table, the study through the service's
own code (with a real refit), and the report counts what the issue asks for."""

from pathlib import Path

import pytest

from trainer.study_eval.experiments import run_method
from trainer.study_eval.oracle import Oracle, nb201_oracle
from trainer.study_eval.report import best_after, curve, evaluations_to_optimum, summarize


@pytest.fixture(scope="module")
def oracle(nb201_path: Path) -> Oracle:
    return nb201_oracle("cifar100", nb201_path.parent)


@pytest.mark.parametrize("method", ["random", "evolution", "oneshot"])
def test_baselines_evaluate_distinct_networks_of_the_table(oracle: Oracle, method: str) -> None:
    run = run_method(method, oracle, seed=3, noise=0.3, budget=100)
    assert len(run.trajectory) == 100 == len(set(run.trajectory))
    assert set(run.trajectory) <= set(oracle.told)
    if method != "oneshot":  # no training: a seed repeats exactly
        assert run_method(method, oracle, seed=3, noise=0.3, budget=100).trajectory == run.trajectory


@pytest.mark.parametrize("method", ["study", "study-greedy", "study-greedy-all"])
def test_the_study_refits_and_stops_at_its_budget(oracle: Oracle, method: str) -> None:
    run = run_method(method, oracle, seed=0, noise=0.0, budget=20)  # 10 initial, a refit, 10 acquired
    assert len(run.trajectory) == 20 == len(set(run.trajectory))


def test_the_report_counts_evaluations_to_the_optimum_and_the_best_so_far(oracle: Oracle) -> None:
    others = [i for i in sorted(oracle.told) if i != oracle.optimum][:5]
    found = {"trajectory": [*others, oracle.optimum], "seconds": 1.0}
    missed = {"trajectory": others, "seconds": 3.0}
    assert evaluations_to_optimum(found["trajectory"], oracle) == 6
    assert evaluations_to_optimum(missed["trajectory"], oracle) is None
    assert best_after(found["trajectory"], 6, oracle) == oracle.optimum
    assert curve(found["trajectory"], oracle, 30)[-1] == oracle.reported[oracle.optimum]  # flat after a stop
    summary = summarize([found, missed], oracle)
    assert (summary["within_100"], summary["censored"], summary["to_optimum_mean"]) == (1, 1, 103.0)
