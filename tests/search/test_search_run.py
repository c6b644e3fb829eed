import numpy as np
import pytest
from search_toys import BitStringSpace, distance_scorer

from service.search import PARAMS, STRATEGIES, EvolutionParams, make_scorer, run_search
from service.search.scorer import score_batch

SPACE = BitStringSpace(6)
SCORER = distance_scorer(SPACE, (1, 1, 1, 0, 0, 0))


@pytest.mark.parametrize(
    ("strategy", "kwargs", "message"),
    [
        ("annealing", {}, "unknown search strategy 'annealing'"),
        ("evolution", {"params": {"populaton": 10}}, "populaton: Extra inputs are not permitted"),
        (
            "evolution",
            {"params": {"population": 1}},
            "population: Input should be greater than or equal to 2",
        ),
        ("evolution", {"params": {"generations": "5"}}, "generations: Input should be a valid integer"),
        ("evolution", {"params": {"generations": True}}, "generations: Input should be a valid integer"),
        ("evolution", {"params": {"selection": 0.6}}, "selection + crossover + mutation must be 1, got 1.1"),
        ("random", {"params": {"budget": 0}}, "budget: Input should be greater than or equal to 1"),
        ("exhaustive", {"params": {"budget": 10}}, "allowed keys: batch_size"),
        ("random", {"top_k": 0}, "top_k: Input should be greater than or equal to 1"),
        ("random", {"top_k": 10_001}, "top_k: Input should be less than or equal to 10000"),
        ("random", {"seed": -1}, "seed: Input should be greater than or equal to 0"),
        ("random", {"seed": 1.5}, "seed: Input should be a valid integer"),
        ("exhaustive", {"max_params": -5}, "max_params: Input should be greater than or equal to 0"),
        ("exhaustive", {"max_flops": "big"}, "max_flops: Input should be a valid integer"),
        ("exhaustive", {"max_flops": False}, "max_flops: Input should be a valid integer"),
    ],
)
def test_bad_arguments_raise_value_error_naming_the_problem(strategy, kwargs, message):
    with pytest.raises(ValueError) as error:
        run_search(strategy, SPACE, SCORER, **kwargs)
    assert message in str(error.value)


def test_params_default_to_the_renas_settings():
    assert EvolutionParams() == EvolutionParams(
        population=64, generations=500, selection=0.5, crossover=0.3, mutation=0.2
    )
    assert set(PARAMS) == set(STRATEGIES) == {"evolution", "exhaustive", "random"}
    assert PARAMS["evolution"].model_json_schema()["additionalProperties"] is False


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_returns_the_same_shape(strategy):
    params = {"population": 8} if strategy == "evolution" else {}  # 64 would take all 36 identities at once
    result = run_search(strategy, SPACE, SCORER, top_k=3, seed=0, params=params)
    assert len(result.top) == 3
    assert result.top[0].identity == SPACE.identity((1, 1, 1, 0, 0, 0))
    assert result.evaluated >= 3 and result.generations >= 1 and result.wall_seconds >= 0


def test_make_scorer_encodes_then_predicts():
    seen_shapes = []

    def predict(x: np.ndarray) -> np.ndarray:
        seen_shapes.append(x.shape)
        return x.sum(axis=1, keepdims=True)  # (n, 1), as ONNX models return

    scorer = make_scorer(SPACE, predict, "bits")
    scores = score_batch(scorer, [(1, 0, 0, 0, 0, 0), (1, 1, 0, 0, 0, 1)])
    assert scores.tolist() == [1.0, 3.0] and seen_shapes == [(2, 6)]
    with pytest.raises(ValueError, match="no encoding 'renas-full'; known: bits"):
        make_scorer(SPACE, predict, "renas-full")


@pytest.mark.parametrize(
    ("answer", "message"),
    [(np.zeros(3), r"shape \(3,\) for 2 cells"), (np.array([1.0, np.nan]), "1 non-finite scores")],
)
def test_untrustworthy_scorer_answers_are_refused(answer, message):
    with pytest.raises(ValueError, match=message):
        score_batch(lambda cells: answer, [(0,) * 6, (1,) * 6])
