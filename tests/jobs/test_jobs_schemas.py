"""A search request is one typed model per strategy: the bounds live in them, OpenAPI shows them."""

import pytest
from pydantic import ValidationError

from service.jobs.schemas import SEARCH_REQUEST, EvolutionRequest, RandomRequest
from service.search import STRATEGIES, Progress


def test_one_request_model_per_strategy() -> None:
    tags = SEARCH_REQUEST.json_schema()["discriminator"]["mapping"]
    assert sorted(tags) == sorted(STRATEGIES)


def test_params_are_typed_and_defaulted_per_strategy() -> None:
    request = SEARCH_REQUEST.validate_python({"space": "nb101", "strategy": "evolution"})
    assert isinstance(request, EvolutionRequest)
    assert (request.params.population, request.params.generations) == (64, 500)
    with pytest.raises(ValidationError, match="budget"):
        SEARCH_REQUEST.validate_python({"space": "nb101", "strategy": "evolution", "params": {"budget": 5}})


def test_fraction_follows_each_strategy() -> None:
    evolution = EvolutionRequest(space="nb101", strategy="evolution", params={"generations": 40})
    assert evolution.fraction(Progress(generation=10, evaluated=999, best_score=0.0)) == 0.25
    random = RandomRequest(space="nb201", strategy="random", params={"budget": 200})
    assert random.fraction(Progress(generation=99, evaluated=50, best_score=0.0)) == 0.25
    assert random.fraction(Progress(generation=99, evaluated=500, best_score=0.0)) == 1.0
    exhaustive = SEARCH_REQUEST.validate_python({"space": "nb201", "strategy": "exhaustive"})
    assert exhaustive.fraction(Progress(generation=3, evaluated=50, best_score=0.0)) is None


def test_openapi_documents_every_strategy_parameter_and_bound(client) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    evolution = schemas["EvolutionParams"]["properties"]
    assert set(evolution) == {"population", "generations", "selection", "crossover", "mutation"}
    assert (evolution["population"]["minimum"], evolution["population"]["maximum"]) == (2, 4096)
    assert schemas["RandomParams"]["properties"]["budget"]["maximum"] == 1_000_000
    assert schemas["ExhaustiveRequest"]["properties"]["top_k"]["maximum"] == 10_000
