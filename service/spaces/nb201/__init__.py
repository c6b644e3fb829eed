"""NAS-Bench-201: cells with an op on each of the six edges of a 4-node DAG (15,625 cells)."""

from service.spaces.nb201.arch import EDGES, OPS, Arch

__all__ = ["EDGES", "OPS", "Arch"]
