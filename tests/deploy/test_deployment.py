"""Static checks of the Docker image and docker-compose file (no Docker engine runs here), and a run
of the container's own start and health-check commands against the real shipped models."""

import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import metadata, version
from pathlib import Path

import pytest
import yaml
from live_server import SERVE, WORKERS, free_port, running

from service.core.config import Settings
from service.main import app

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()
# The Dockerfile's stages by name: base (the service), train (base plus torch), service (the default).
STAGES = dict(re.findall(r"^FROM \S+ AS (\S+)\n(.*?)(?=^FROM |\Z)", DOCKERFILE, flags=re.M | re.S))
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTING_VARS = {f"RENAS_{name.upper()}" for name in Settings.model_fields}


def _dockerfile_env() -> dict[str, str]:
    block = re.search(r"^ENV (.*?)(?=\n\S)", DOCKERFILE, flags=re.M | re.S)
    assert block is not None
    pairs = re.findall(r"(\w+)=(\S+)", block.group(1))
    return {key: value for key, value in pairs}


def _healthcheck_command() -> list[str]:
    match = re.search(r"HEALTHCHECK .*?CMD (\[.*?\])\n", DOCKERFILE, flags=re.S)
    assert match is not None
    return yaml.safe_load(match.group(1))


def test_dockerfile_settings_are_ones_the_service_reads() -> None:
    env = _dockerfile_env()
    renas = {key for key in env if key.startswith("RENAS_")}
    assert renas <= SETTING_VARS, renas - SETTING_VARS
    assert env["RENAS_HOST"] == "0.0.0.0"
    assert re.search(rf"^EXPOSE {env['RENAS_PORT']}$", DOCKERFILE, flags=re.M)
    assert env["RENAS_DATABASE_URL"].startswith("sqlite:////data/")
    assert re.search(r'^VOLUME \["/data"\]$', DOCKERFILE, flags=re.M)


def test_dockerfile_copies_existing_paths_and_runs_the_console_script() -> None:
    for source in re.findall(r"^COPY (\S+)", DOCKERFILE, flags=re.M):
        assert (ROOT / source).exists(), source
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    cmd = re.search(r'^CMD \["([^"]+)"\]$', DOCKERFILE, flags=re.M)
    assert cmd is not None and scripts[cmd.group(1)] == "service.main:serve"
    code = [line for line in STAGES["base"].splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in code if "torch" in line]
    assert re.search(r"pip install [^\n\[]* \.\[postgres\]$", DOCKERFILE, flags=re.M), "no trainer, no torch"
    assert list(STAGES) == ["base", "train", "service"], "the service image is the default (last) target"
    assert re.search(r"^USER (?!root)\w+$", DOCKERFILE, flags=re.M), "the image must not run as root"


def test_gpu_base_image_matches_the_pinned_onnxruntime_gpu() -> None:
    pinned = re.search(r"^onnxruntime-gpu==(\S+)$", (ROOT / "docker/constraints.txt").read_text(), re.M)
    assert pinned is not None and pinned.group(1) == version("onnxruntime-gpu"), "pin what tests ran"
    base = re.search(r"^ARG BASE_IMAGE=nvidia/cuda:(\d+)\.\S*-cudnn-runtime-\S+$", DOCKERFILE, flags=re.M)
    assert base is not None
    requires = metadata("onnxruntime-gpu").get_all("Requires-Dist") or []
    cuda = next(r for r in requires if r.startswith("nvidia-cuda-runtime"))
    assert re.search(rf"~={base.group(1)}\.", cuda), f"base CUDA {base.group(1)} vs {cuda}"


def _mount_target(volume: str) -> str:
    """The container path of a short-syntax volume (the host part may hold ${VAR:-default})."""
    parts = volume.rsplit(":", 2 if volume.endswith((":ro", ":rw")) else 1)
    return parts[1]


def test_compose_services_use_the_image_settings_and_health_check() -> None:
    env = _dockerfile_env()
    services = {name: s for name, s in COMPOSE["services"].items() if name in ("renas", "renas-cpu")}
    assert set(COMPOSE["services"]) - set(services) == SCALED | {"postgres", "renas-proxy"}
    for service in services.values():
        assert set(service["environment"]) <= SETTING_VARS
        container = service["ports"][0].rsplit(":", 1)[1]
        assert container == env["RENAS_PORT"] == service["environment"]["RENAS_PORT"]
        assert service["environment"]["RENAS_MODELS_DIR"] == env["RENAS_MODELS_DIR"]
        mounts = {_mount_target(volume) for volume in service["volumes"]}
        assert {"/data", env["RENAS_MODELS_DIR"]} <= mounts
        assert service["environment"]["RENAS_DATABASE_URL"].startswith("sqlite:////data/")
        assert service["healthcheck"]["test"][1:] == _healthcheck_command()
        assert service["restart"] == "unless-stopped"
        assert service["build"]["dockerfile"] == "docker/Dockerfile"
    devices = services["renas"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]
    assert services["renas-cpu"]["profiles"] == ["cpu"]
    assert "deploy" not in services["renas-cpu"]
    assert services["renas-cpu"]["build"]["args"]["BASE_IMAGE"].startswith("ubuntu:")
    assert "renas-data" in COMPOSE["volumes"]


def test_image_builds_the_hash_table_where_the_service_reads_it() -> None:
    env = _dockerfile_env()
    assert env["RENAS_NB101_HASH_TABLE"].startswith("/app/")
    build = re.search(r"^RUN .*?renas-enumerate nb101-hash-table\n", DOCKERFILE, flags=re.M | re.S)
    assert build is not None and "--out" not in build.group(
        0
    )  # so it writes where RENAS_NB101_HASH_TABLE says


def test_health_check_path_is_a_route() -> None:
    url = _healthcheck_command()[-1]
    assert "/healthz" in url
    assert "/healthz" in app.openapi()["paths"]


def test_container_command_serves_the_shipped_models(tmp_path: Path) -> None:
    """`renas-serve` as the image runs it (its ENV, minus paths that only exist in the image)."""
    port = free_port()
    env = {**os.environ, **_dockerfile_env()}
    env.update(
        RENAS_HOST="127.0.0.1",
        RENAS_PORT=str(port),
        RENAS_MODELS_DIR=str(ROOT / "models"),
        RENAS_DATABASE_URL=f"sqlite:///{tmp_path / 'renas.db'}",
        RENAS_NB101_HASH_TABLE="",  # the image builds it; here it would take half a minute
    )
    env.pop("RENAS_API_KEY", None)
    check = [sys.executable, *_healthcheck_command()[1:]]
    check[-1] = check[-1].replace(":8000/", f":{port}/")
    with running(env, ready=lambda: subprocess.run(check, capture_output=True).returncode == 0):
        pass  # the image's own health-check command succeeded against the container command


def test_blank_api_key_from_compose_means_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    assert COMPOSE["services"]["renas"]["environment"]["RENAS_API_KEY"] == "${RENAS_API_KEY:-}"
    monkeypatch.setenv("RENAS_API_KEY", "")
    assert Settings().api_key is None
    monkeypatch.setenv("RENAS_API_KEY", "s3cret")
    assert Settings().api_key == "s3cret"


SCALED = {"renas-api", "renas-search-worker", "renas-train-worker"}


def test_the_scale_profile_runs_the_commands_the_tests_run() -> None:
    services = COMPOSE["services"]
    assert all(services[name]["profiles"] == ["scale"] for name in SCALED | {"postgres", "renas-proxy"})
    commands = {name: tuple(services[name]["command"]) for name in SCALED}
    # tests/postgres/test_scaled_deployment.py starts exactly these processes.
    assert commands == {
        "renas-api": SERVE,
        "renas-search-worker": WORKERS["search"],
        "renas-train-worker": WORKERS["train"],
    }
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["renas-worker"] == "service.jobs.cli:app"
    for name in SCALED:
        environment = services[name]["environment"]
        assert set(environment) <= SETTING_VARS
        assert environment["RENAS_DATABASE_URL"].startswith("postgresql+psycopg://renas:")
        assert "@postgres:5432/" in environment["RENAS_DATABASE_URL"]
        assert (environment["RENAS_SEARCH_WORKERS"], environment["RENAS_TRAIN_WORKERS"]) == ("0", "0")
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["renas-train-worker"]["build"]["target"] == "train"
    assert services["renas-api"]["build"]["target"] == services["renas-search-worker"]["build"]["target"]
    assert services["renas-api"]["build"]["target"] == "service"


def test_the_scale_profiles_database_and_proxy() -> None:
    postgres = COMPOSE["services"]["postgres"]
    assert postgres["image"] == "postgres:16"
    assert "renas-postgres" in COMPOSE["volumes"]
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert "pg_isready" in postgres["healthcheck"]["test"][1]
    proxy = COMPOSE["services"]["renas-proxy"]
    assert proxy["ports"] == ["${RENAS_PUBLISHED_PORT:-8000}:8000"]
    (config,) = proxy["volumes"]
    host, target = config.removesuffix(":ro").split(":")
    assert target == "/etc/nginx/nginx.conf"
    conf = (ROOT / host).read_text()
    assert re.search(r"server renas-api:8000;", conf) and re.search(r"listen 8000;", conf)
    assert COMPOSE["services"]["renas-api"]["environment"]["RENAS_PORT"] == "8000"


def test_the_train_image_installs_the_cpu_torch_before_the_train_extra() -> None:
    train = STAGES["train"]
    install = re.search(
        r"pip install [^\n]*--index-url https://download.pytorch.org/whl/cpu torch==(\S+)", train
    )
    assert install is not None
    assert install.group(1) == version("torch").split("+")[0], "the torch the tests ran"
    assert train.index("torch==") < train.index(".[postgres,train]")
    assert re.search(r"^COPY trainer \./trainer$", train, flags=re.M)
    assert re.search(r'^CMD \["renas-worker", "--queue", "train"\]$', train, flags=re.M)
