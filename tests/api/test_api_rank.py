"""POST /rank: best first, ranks 1..n, isomorphic duplicates pointed at their first occurrence."""

from cells import NB101_BAD_OP, NB101_BRANCHES, NB101_BRANCHES_SWAPPED, NB101_CHAIN, NB201_CONVS, NB201_SKIPS
from fastapi.testclient import TestClient

from service.api.schemas import RankResponse


def test_ranks_best_first_and_marks_isomorphic_duplicates(client: TestClient) -> None:
    cells = [NB101_BRANCHES, NB101_CHAIN, NB101_BRANCHES_SWAPPED, NB101_BRANCHES]
    predicted = client.post("/predict", json={"space": "nb101", "cells": cells}).json()["predictions"]
    response = client.post("/rank", json={"space": "nb101", "cells": cells})
    assert response.status_code == 200
    RankResponse.model_validate(response.json())  # the documented response_model
    ranking = response.json()["ranking"]
    assert [entry["rank"] for entry in ranking] == [1, 2, 3, 4]
    scores = [entry["score"] for entry in ranking]
    assert scores == sorted(scores, reverse=True)
    assert sorted(entry["index"] for entry in ranking) == [0, 1, 2, 3]
    by_index = {entry["index"]: entry for entry in ranking}
    assert {i: by_index[i]["score"] for i in by_index} == {p["index"]: p["score"] for p in predicted}
    assert [by_index[i]["duplicate_of"] for i in range(4)] == [None, None, 0, 0]
    # equal scores keep input order: the three isomorphic cells are ranked 0, 2, 3
    iso_order = [entry["index"] for entry in ranking if entry["index"] != 1]
    assert iso_order == [0, 2, 3]


def test_top_k_keeps_the_best(client: TestClient) -> None:
    cells = [NB201_SKIPS, NB201_CONVS, NB201_SKIPS]
    full = client.post("/rank", json={"space": "nb201", "cells": cells}).json()["ranking"]
    top = client.post("/rank", json={"space": "nb201", "cells": cells, "top_k": 2}).json()["ranking"]
    assert top == full[:2]


def test_bad_cells_and_top_k_are_422(client: TestClient) -> None:
    response = client.post("/rank", json={"space": "nb101", "cells": [NB101_BAD_OP]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("cells[0]: ")
    assert (
        client.post("/rank", json={"space": "nb101", "cells": [NB101_CHAIN], "top_k": 0}).status_code == 422
    )
