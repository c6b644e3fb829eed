"""Cell spaces: NAS-Bench-101 (``nb101``) and NAS-Bench-201 (``nb201``), behind one ``Space`` contract."""

from service.spaces.base import InvalidCellError, Space

SPACE_NAMES = ("nb101", "nb201")


def get_space(name: str) -> Space:
    """The space called ``name``; KeyError for an unknown one."""
    if name == "nb101":
        from service.spaces.nb101.space import NB101_SPACE

        return NB101_SPACE
    if name == "nb201":
        from service.spaces.nb201.space import NB201_SPACE

        return NB201_SPACE
    raise KeyError(f"unknown space {name!r}; known: {', '.join(SPACE_NAMES)}")


__all__ = ["SPACE_NAMES", "InvalidCellError", "Space", "get_space"]
