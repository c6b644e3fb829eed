"""The trainer's settings, read from environment variables prefixed ``RENAS_`` (or a .env file).

The benchmark tables are the trainer's (and the tests' and benchmarks') input; the service never
reads them, so their folder is not a service setting.
"""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from service.core.config import PROJECT_ROOT


class TrainerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RENAS_", env_file=".env", extra="ignore")

    data_dir: Path = PROJECT_ROOT.parent / "shared" / "data"  # see ../shared/data/README.md


def data_dir() -> Path:
    """The folder of the benchmark tables (``RENAS_DATA_DIR``), read fresh each call."""
    return TrainerSettings().data_dir
