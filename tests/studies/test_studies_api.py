"""Studies over HTTP: create, ask the initial design, tell values, failures and unasked cells, and
every error a user can make; and nothing told is lost across a restart."""

import threading

import httpx
import pytest
from cells import NB101_BAD_OP, NB101_BRANCHES, NB101_BRANCHES_SWAPPED, NB101_CHAIN, NB201_CONVS, NB201_SKIPS
from fastapi.testclient import TestClient
from service_apps import ClientFactory

from service.spaces import get_space


def new_study(client: TestClient, **body: object) -> str:
    response = client.post("/studies", json={"space": "nb201", **body})
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/studies/{response.json()['id']}"
    return response.json()["id"]


def ask(client: TestClient, study: str, n: int) -> list[dict]:
    response = client.post(f"/studies/{study}/ask", json={"n": n})
    assert response.status_code == 200, response.text
    return response.json()["trials"]


def tell(client: TestClient, study: str, *results: dict) -> httpx.Response:
    return client.post(f"/studies/{study}/tell", json={"results": list(results)})


def test_ask_proposes_distinct_unseen_networks_within_the_constraints(client: TestClient) -> None:
    study = new_study(client, seed=3, max_params=1_000_000)
    first, second = ask(client, study, 10), ask(client, study, 15)
    trials = first + second
    assert [t["trial"] for t in trials] == list(range(25))
    assert len({t["hash"] for t in trials}) == 25  # never the same network twice
    assert all(t["params"] <= 1_000_000 and t["state"] == "pending" for t in trials)
    assert all(t["reason"] == "initial design" and t["predicted"] is None for t in trials)
    space = get_space("nb201")
    for t in trials:  # what a trial says about its cell is what the space says
        cell = space.parse(t["cell"])
        assert space.identity(cell) == t["hash"]
        assert [int(c[0]) for c in space.cost([cell])] == [t["params"], t["flops"]]


def test_the_loop_records_values_failures_and_the_best(client: TestClient) -> None:
    study = new_study(client, goal="maximize")
    a, b, c = ask(client, study, 3)
    told = tell(
        client,
        study,
        {"trial": a["trial"], "value": 71.5},
        {"trial": b["trial"], "failed": True, "error": "out of memory"},
        {"cell": NB201_CONVS, "value": 72.25},  # measured elsewhere, never asked
    )
    assert told.status_code == 200, told.text
    body = told.json()
    assert body["changed"] == 3 and body["trials"][:2] == [a["trial"], b["trial"]]
    summary = client.get(f"/studies/{study}").json()
    assert summary["counts"] == {"asked": 3, "told": 2, "failed": 1, "pending": 1}
    assert summary["best"]["value"] == 72.25 and summary["best"]["trial"] == body["trials"][2]
    assert [p["best"] for p in summary["history"]] == [71.5, 72.25]
    assert summary["predictor"] is None and summary["refit"]["state"] == "idle"
    assert "once 8 values are told (2 so far)" in summary["refit"]["detail"]
    # the told cell is never proposed again, nor are the failed and pending ones
    seen = {
        a["hash"],
        b["hash"],
        c["hash"],
        get_space("nb201").identity(get_space("nb201").parse(NB201_CONVS)),
    }
    assert not seen & {t["hash"] for t in ask(client, study, 50)}


def test_minimize_picks_the_lowest(client: TestClient) -> None:
    study = new_study(client, goal="minimize")
    assert (
        tell(
            client, study, {"cell": NB201_CONVS, "value": 3.0}, {"cell": NB201_SKIPS, "value": 1.0}
        ).status_code
        == 200
    )
    assert client.get(f"/studies/{study}").json()["best"]["value"] == 1.0


def test_telling_again_is_a_no_op_and_a_different_value_a_conflict(client: TestClient) -> None:
    study = new_study(client)
    (trial,) = ask(client, study, 1)
    assert tell(client, study, {"trial": trial["trial"], "value": 70.0}).json()["changed"] == 1
    again = tell(client, study, {"trial": trial["trial"], "value": 70.0})
    assert again.status_code == 200 and again.json()["changed"] == 0
    other = tell(client, study, {"trial": trial["trial"], "value": 69.0})
    assert other.status_code == 409 and "already told value 70.0" in other.json()["detail"][0]["msg"]
    failed = tell(client, study, {"trial": trial["trial"], "failed": True})
    assert failed.status_code == 409


def test_a_bad_entry_changes_nothing(client: TestClient) -> None:
    study = new_study(client)
    (trial,) = ask(client, study, 1)
    response = tell(client, study, {"trial": trial["trial"], "value": 70.0}, {"trial": 99, "value": 1.0})
    assert response.status_code == 404 and "results[1]" in response.json()["detail"][0]["msg"]
    assert client.get(f"/studies/{study}").json()["counts"]["told"] == 0


@pytest.mark.parametrize(
    ("result", "where"),
    [
        ({"trial": 0, "value": "NaN"}, ["body", "results", 0]),
        ({"trial": 0}, ["body", "results", 0]),  # neither a value nor failed
        ({"trial": 0, "value": 1.0, "failed": True}, ["body", "results", 0]),
        ({"cell": {"arch": "|conv_7x7~0|"}, "value": 1.0}, ["body", "results", 0]),
    ],
)
def test_invalid_results_are_422_naming_the_entry(client: TestClient, result: dict, where: list) -> None:
    study = new_study(client)
    ask(client, study, 1)
    response = tell(client, study, result)
    assert response.status_code == 422, response.text
    assert all(e["loc"][: len(where)] == where for e in response.json()["detail"])


def test_infinite_values_are_refused(client: TestClient) -> None:
    """JSON's non-standard Infinity is a 422 (naming it), not a 500 from echoing it back."""
    study = new_study(client)
    arch = NB201_CONVS["arch"]
    text = f'{{"results": [{{"cell": {{"arch": "{arch}"}}, "value": Infinity}}]}}'
    headers = {"content-type": "application/json"}
    response = client.post(f"/studies/{study}/tell", content=text, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:3] == ["body", "results", 0]
    assert client.get(f"/studies/{study}").json()["counts"]["told"] == 0


def test_a_pool_limits_ask_and_tell_and_relabelled_copies_are_one_trial(client: TestClient) -> None:
    pool = [NB101_CHAIN, NB101_BRANCHES, NB101_BRANCHES_SWAPPED]  # two networks
    study = new_study(client, space="nb101", candidates=pool)
    assert client.get(f"/studies/{study}").json()["pool_size"] == 2
    trials = ask(client, study, 10)
    assert len(trials) == 2  # the pool holds no more networks
    assert ask(client, study, 1) == []
    branches = next(t for t in trials if len(t["cell"]["ops"]) == 4)
    swapped = tell(client, study, {"cell": NB101_BRANCHES_SWAPPED, "value": 80.0})
    assert swapped.json()["trials"] == [branches["trial"]]  # the asked trial, not a new one
    outside = {"matrix": [[0, 1, 0], [0, 0, 1], [0, 0, 0]], "ops": ["input", "maxpool3x3", "output"]}
    refused = tell(client, study, {"cell": outside, "value": 1.0})
    assert refused.status_code == 422 and "not in the study's pool" in refused.json()["detail"][0]["msg"]


def test_constraints_apply_to_told_cells_and_the_pool(client: TestClient) -> None:
    study = new_study(client, max_params=1)
    response = tell(client, study, {"cell": NB201_CONVS, "value": 1.0})
    assert response.status_code == 422 and "max_params" in response.json()["detail"][0]["msg"]
    bad_pool = client.post("/studies", json={"space": "nb101", "candidates": [NB101_CHAIN, NB101_BAD_OP]})
    assert bad_pool.status_code == 422
    assert bad_pool.json()["detail"][0]["loc"] == ["body", "candidates", 1]
    over = client.post("/studies", json={"space": "nb201", "max_params": 1, "candidates": [NB201_CONVS]})
    assert over.status_code == 422 and over.json()["detail"][0]["loc"] == ["body", "candidates", 0]


def test_unknown_study_or_trial_is_404(client: TestClient) -> None:
    assert client.get("/studies/nope").status_code == 404
    assert client.post("/studies/nope/ask", json={"n": 1}).status_code == 404
    assert client.post("/studies/nope/tell", json={"results": [{"trial": 0, "value": 1}]}).status_code == 404
    assert client.get("/studies/nope/trials").status_code == 404
    study = new_study(client)
    assert tell(client, study, {"trial": 0, "value": 1.0}).status_code == 404
    assert client.post(f"/studies/{study}/ask", json={"n": 0}).status_code == 422
    assert client.post("/studies", json={"space": "nb999"}).status_code == 422


def test_trials_and_studies_are_paged(client: TestClient) -> None:
    study = new_study(client, name="paged")
    ask(client, study, 7)
    page = client.get(f"/studies/{study}/trials", params={"offset": 5, "limit": 10}).json()
    assert page["total"] == 7 and [t["trial"] for t in page["items"]] == [5, 6]
    listed = client.get("/studies", params={"limit": 1}).json()
    assert listed["items"][0]["id"] == study and listed["total"] >= 1


def test_concurrent_asks_never_share_a_network(client: TestClient) -> None:
    study = new_study(client, seed=11)
    results: list[list[dict]] = []

    def one_client() -> None:
        results.append(ask(client, study, 10))

    threads = [threading.Thread(target=one_client) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    trials = [t for batch in results for t in batch]
    assert len(trials) == 40
    assert len({t["hash"] for t in trials}) == 40 and len({t["trial"] for t in trials}) == 40


def test_concurrent_tells_lose_nothing(client: TestClient) -> None:
    """Four clients tell measurements of unasked cells at once: every one becomes its own trial."""
    study = new_study(client)
    space = get_space("nb201")
    distinct = dict(
        zip(space.identities(cells := list(space.enumerate())), cells, strict=True)
    )  # per network
    cells = [space.to_json(c) for c in list(distinct.values())[:20]]
    errors: list[tuple[int, str]] = []

    def one_client(part: list[dict]) -> None:
        response = tell(client, study, *({"cell": c, "value": float(i)} for i, c in enumerate(part)))
        if response.status_code != 200:
            errors.append((response.status_code, response.text))

    threads = [threading.Thread(target=one_client, args=(cells[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert client.get(f"/studies/{study}").json()["counts"]["told"] == len(cells) == 20


def test_told_values_survive_a_restart(app_factory: ClientFactory) -> None:
    with app_factory() as client:
        study = new_study(client)
        (trial,) = ask(client, study, 1)
        assert tell(client, study, {"trial": trial["trial"], "value": 70.5}).status_code == 200
    with app_factory() as client:
        summary = client.get(f"/studies/{study}").json()
        assert summary["best"]["value"] == 70.5 and summary["counts"]["told"] == 1
