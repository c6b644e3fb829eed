"""All settings in one place, read from environment variables prefixed ``RENAS_`` (or a .env file)."""

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.core.logs import LogFormat

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RENAS_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    models_dir: Path = PROJECT_ROOT / "models"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'renas.db'}"

    # Service limits and behaviour.
    max_cells_per_request: int = Field(20_000, ge=1, description="more cells in one request -> 413")
    max_body_bytes: int = Field(16 * 1024 * 1024, ge=1, description="larger request bodies -> 413")
    api_key: str | None = Field(None, description="when set, every route but /healthz and /readyz needs it")
    public_docs: bool = Field(False, description="with an API key: /docs, /redoc, /openapi.json open")
    search_workers: int = Field(
        1, ge=0, description="search jobs run at once, each in its own process; 0: only accept (scaled)"
    )
    train_workers: int = Field(
        1, ge=0, description="training jobs (study refits, POST /train) run at once; needs the train extra"
    )
    ask_wait_seconds: float = Field(
        60.0, ge=0, description='how long an ask with "wait": true waits for the pending refit'
    )
    job_attempts: int = Field(2, ge=1, description="runs of a job whose worker died before it is failed")
    max_job_cells: int = Field(
        2_000_000, ge=1, description="cells one search may score (population x generations)"
    )
    job_timeout_seconds: float = Field(3600.0, gt=0, description="a job running longer fails with the reason")
    max_queued_jobs: int = Field(200, ge=1, description="queued jobs in all; more: 429 with Retry-After")
    max_queued_jobs_per_client: int = Field(
        50, ge=1, description="queued jobs per API key (or client address)"
    )
    job_retention_days: float = Field(30.0, gt=0, description="finished jobs older than this are purged")
    job_lease_seconds: float = Field(
        30.0, gt=0, description="a running job whose worker stopped renewing its lease this long is run again"
    )
    # ONNX Runtime execution providers in order of preference; those not available are skipped.
    providers: list[str] = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    batch_size: int = Field(4096, ge=1, description="cells per ONNX Runtime call when scoring")
    # Module hashes of all NB101 classes: identity by lookup (service.spaces.nb101.hash_table).
    nb101_hash_table: Path | None = Field(
        PROJECT_ROOT / "cache" / "nb101-module-hashes.npy",
        description="precomputed NB101 module hashes (6.8 MB); blank: none, each cell is hashed",
    )
    build_nb101_hash_table: bool = Field(
        True, description="build the hash table file in the background at start-up when it is missing"
    )
    log_level: str = "info"
    log_format: LogFormat = Field(
        "text", description="text, or json: one JSON object per line for collectors"
    )

    @field_validator("api_key", "nb101_hash_table", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """docker-compose passes RENAS_API_KEY="" when the host sets none: that means no key (and so on)."""
        return value or None


def get_settings() -> Settings:
    """Fresh settings each call so tests and CLIs see the current environment."""
    return Settings()
