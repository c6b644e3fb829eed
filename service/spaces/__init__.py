"""Cell spaces: NAS-Bench-101 (``nb101``) and NAS-Bench-201 (``nb201``), behind one ``Space`` contract.

``SPACES`` is the one list of spaces: the request models' ``SpaceName``, the model card's space
and dataset checks, the trainer's choices and ``get_space`` all derive from it. Whether a space's
``enumerate()`` yields one cell per network is not declared here: exhaustive search sees it in its
first batch (``service.search.exhaustive``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from service.spaces.base import InvalidCellError, Space


def _nb101() -> Space:
    from service.spaces.nb101.space import NB101_SPACE

    return NB101_SPACE


def _nb201() -> Space:
    from service.spaces.nb201.space import NB201_SPACE

    return NB201_SPACE


@dataclass(frozen=True)
class SpaceEntry:
    name: str
    datasets: tuple[str, ...]  # what the benchmark's labels measure on: a model card's dataset is one
    default: Callable[[], Space]  # the space without per-process state (imported on first use)
    # Small enough that a study scores every cell at each ask (nb201: 15,625); else it breeds candidates.
    scored_whole: bool = False


SPACES: dict[str, SpaceEntry] = {
    entry.name: entry
    for entry in (
        SpaceEntry("nb101", ("cifar10",), _nb101),
        SpaceEntry("nb201", ("cifar10", "cifar100", "imagenet16-120"), _nb201, scored_whole=True),
    )
}
SPACE_NAMES: tuple[str, ...] = tuple(SPACES)
SpaceName = Literal[SPACE_NAMES]  # type: ignore[valid-type]  (read at run time by pydantic and FastAPI)


@cache
def get_space(name: str) -> Space:
    """The space called ``name`` (without a hash table); KeyError for an unknown one."""
    if name not in SPACES:
        raise KeyError(f"unknown space {name!r}; known: {', '.join(SPACE_NAMES)}")
    return SPACES[name].default()


__all__ = ["SPACES", "SPACE_NAMES", "InvalidCellError", "Space", "SpaceEntry", "SpaceName", "get_space"]
