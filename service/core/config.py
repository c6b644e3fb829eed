"""All settings in one place, read from environment variables prefixed ``RENAS_`` (or a .env file)."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RENAS_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    models_dir: Path = PROJECT_ROOT / "models"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'renas.db'}"
    # Benchmark tables (read by the trainer, benchmarks and tests; the service itself never needs them).
    data_dir: Path = PROJECT_ROOT.parent / "shared" / "data"


def get_settings() -> Settings:
    """Fresh settings each call so tests and CLIs see the current environment."""
    return Settings()
