"""Caps on the work a client can queue: cost per job, wall-clock per job, queued jobs in all and per
client (429 with Retry-After), and the purge of old finished jobs."""

from datetime import timedelta

import pytest
from service_apps import FINISHED, ClientFactory, wait_for_job
from sqlalchemy import update

from service.core.orm import utcnow
from service.jobs import service as jobs
from service.jobs.models import Job
from service.jobs.schemas import ExhaustiveRequest

ENDLESS = {"space": "nb101", "strategy": "evolution", "params": {"population": 8, "generations": 10_000}}


def test_a_search_over_the_cost_cap_is_refused(app_factory: ClientFactory) -> None:
    with app_factory(max_job_cells=10_000) as client:
        big = {"space": "nb201", "strategy": "random", "params": {"budget": 10_001}}
        response = client.post("/search", json=big)
        assert response.status_code == 422
        (error,) = response.json()["detail"]
        assert error["loc"] == ["body", "random", "params"] and "10,001 cells" in error["msg"]
        evolution = {
            "space": "nb101",
            "strategy": "evolution",
            "params": {"population": 100, "generations": 99},
        }
        assert client.post("/search", json=evolution).status_code == 202  # 100 x 100 = 10,000: allowed
        exhaustive = {"space": "nb101", "strategy": "exhaustive"}  # bounded by the space, not the cap
        assert client.post("/search", json=exhaustive).status_code == 202


def test_a_job_past_the_time_limit_fails_with_the_reason(app_factory: ClientFactory) -> None:
    with app_factory(job_timeout_seconds=1.0) as client:
        job = wait_for_job(client, client.post("/search", json=ENDLESS).json()["id"], FINISHED)
        assert job["status"] == "failed"
        reason = "JobTimedOutError: ran longer than 1 s, the limit per job (RENAS_JOB_TIMEOUT_SECONDS)"
        assert job["error"] == reason


def test_a_full_queue_answers_429_with_retry_after(app_factory: ClientFactory) -> None:
    with app_factory(max_queued_jobs=2, max_queued_jobs_per_client=5) as client:
        running = client.post("/search", json=ENDLESS).json()["id"]
        wait_for_job(client, running, {"running"})  # the one worker is busy from now on
        queued = [client.post("/search", json=ENDLESS) for _ in range(2)]
        assert [r.status_code for r in queued] == [202, 202]
        full = client.post("/search", json=ENDLESS)
        assert full.status_code == 429 and full.headers["retry-after"] == "30"
        assert "2 jobs are queued" in full.json()["detail"][0]["msg"]
        client.post(f"/search/{queued[0].json()['id']}/cancel")
        assert client.post("/search", json=ENDLESS).status_code == 202  # room again
        for job in client.get("/search", params={"status": "queued"}).json()["items"] + [{"id": running}]:
            client.post(f"/search/{job['id']}/cancel")


def test_one_clients_share_of_the_queue_is_capped(app_factory: ClientFactory) -> None:
    with app_factory(max_queued_jobs=100, max_queued_jobs_per_client=1) as client:
        running = client.post("/search", json=ENDLESS).json()["id"]
        wait_for_job(client, running, {"running"})
        assert client.post("/search", json=ENDLESS).status_code == 202
        full = client.post("/search", json=ENDLESS)
        assert full.status_code == 429 and "the most one client may" in full.json()["detail"][0]["msg"]
        for job in client.get("/search", params={"status": "queued"}).json()["items"] + [{"id": running}]:
            client.post(f"/search/{job['id']}/cancel")


def test_quotas_count_queued_jobs_per_owner(db) -> None:
    request = ExhaustiveRequest(space="nb201", strategy="exhaustive")
    jobs.create_job(db, kind="search", request=request, owner="key:a")
    jobs.check_queue_room(db, owner="key:b", max_total=2, max_per_owner=1)  # b has none queued
    with pytest.raises(jobs.QueueFullError, match="one client"):
        jobs.check_queue_room(db, owner="key:a", max_total=2, max_per_owner=1)
    jobs.create_job(db, kind="search", request=request, owner="key:b")
    with pytest.raises(jobs.QueueFullError, match="2 jobs are queued"):
        jobs.check_queue_room(db, owner="key:c", max_total=2, max_per_owner=1)


def test_finished_jobs_past_their_retention_are_purged(db) -> None:
    request = ExhaustiveRequest(space="nb201", strategy="exhaustive")
    old, recent, queued = (jobs.create_job(db, kind="search", request=request).id for _ in range(3))
    for job_id in (old, recent):
        jobs.cancel_job(db, job_id)
    db.execute(update(Job).where(Job.id == old).values(finished_at=utcnow() - timedelta(days=31)))
    db.commit()
    assert jobs.purge_finished(db, older_than=timedelta(days=30)) == 1
    assert jobs.get_job(db, old) is None
    assert jobs.get_job(db, recent) is not None and jobs.get_job(db, queued) is not None
