"""Models trained by jobs live in the database: stored once, checked, opened by id on first use in any
process, listed beside the shipped files, and a study's newest one is its predictor."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tiny_models import write_model

from service import migrations
from service.core.db import make_engine, make_sessionmaker
from service.inference.registry import ModelLoadError, ModelNotFoundError, ModelRegistry, load_registry
from service.inference.stored import StoredModels, latest_of_study, load_stored, save_model, stored_cards
from service.studies.models import Study

CPU = ["CPUExecutionProvider"]


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions over a fresh, migrated database."""
    url = f"sqlite:///{tmp_path / 'models.db'}"
    migrations.upgrade(url)
    engine = make_engine(url)
    yield make_sessionmaker(engine)
    engine.dispose()


def stored_model(folder: Path, db: Session, model_id: str, study: str | None = None, cells: int = 10) -> None:
    card = write_model(folder, model_id, "nb201", dataset="custom", member_seeds=(1, 2))
    save_model(db, card, (folder / card.onnx_file).read_bytes(), trained_on=cells, study_id=study)


def test_a_stored_model_is_served_by_id_and_never_as_a_default(
    sessions: sessionmaker[Session], models_dir: Path, tmp_path: Path
) -> None:
    with sessions() as db:
        stored_model(tmp_path, db, "study-x-r1")
        assert [c.id for c in stored_cards(db)] == ["study-x-r1"]
    registry = load_registry(models_dir, CPU)
    registry.stored = StoredModels(sessions, CPU)
    model = registry.pick("nb201", "study-x-r1")
    assert model.card.spread_output == "spread" and registry.get("study-x-r1") is model  # opened once
    assert registry.pick("nb201").card.id == "nb201-b-default"
    with pytest.raises(ModelNotFoundError, match="is for space 'nb201', not 'nb101'"):
        registry.pick("nb101", "study-x-r1")
    assert ModelRegistry().get("study-x-r1") is None  # without the database: unknown


def test_bytes_that_are_not_the_cards_are_refused(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    card = write_model(tmp_path, "m", "nb201", dataset="custom")
    with sessions() as db, pytest.raises(ModelLoadError, match="sha256"):
        save_model(db, card, b"not the model", trained_on=2)
    with sessions() as db:
        assert load_stored(db, "m", CPU) is None


def test_a_studys_predictor_is_its_newest_model(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions() as db:
        db.add(Study(id="s", name="", space="nb201", goal="maximize", seed=0))
        db.commit()
        assert latest_of_study(db, "s") is None
        stored_model(tmp_path, db, "study-s-r1", study="s", cells=8)
        stored_model(tmp_path, db, "study-s-r2", study="s", cells=12)
        card, cells = latest_of_study(db, "s")
        assert (card.id, cells) == ("study-s-r2", 12)
