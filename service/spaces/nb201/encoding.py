"""ReNAS feature tensors for NAS-Bench-201 cells.

ReNAS (Xu et al., CVPR 2021) encodes a cell as matrices over its ops-on-vertices adjacency: a type
matrix plus FLOPs and parameter matrices, each a per-vertex vector broadcast over the adjacency and
masked by it. Here the graph is the 8-vertex DAG of ``graph.vertex_dag`` (input, one vertex per edge
in ``EDGES`` order, output) of the cell's canonical representative, so isomorphic cells get the
identical tensor, and ``none`` or cut-off edges are isolated (all-zero rows and columns).

Entry [i, j] of every matrix is adjacency[i, j] times the value of vertex j (the vertex the edge
feeds). Channels of ``renas-full`` (7 x 8 x 8):

- 0, type: 1 input, 2 skip_connect, 3 nor_conv_1x1, 4 nor_conv_3x3, 5 avg_pool_3x3, 6 output
  (unscaled small integers, as ReNAS and our nb101 encoding number vertex types);
- 1..3, FLOPs of the vertex's op in a cell of stage 1, 2, 3 (multiply-adds, as ``cost`` counts them);
- 4..6, parameters of the vertex's op in a cell of stage 1, 2, 3.

Each cost channel is divided by its largest vertex value (a 3x3 conv in that stage), a constant of
the space, so cost entries lie in [0, 1]; in this space c^2 h^2 is the same in every stage, so the
three FLOPs channels are equal (kept for the ReNAS layout), while the parameter channels differ
slightly (the 2c BN parameters). No value is fitted to data. Costs are those of the pruned
canonical cell, not the benchmark's count of the unpruned cell (``cost.network_cost``).
``renas-type`` is channel 0 alone. Cells whose output is cut off encode as all zeros.
"""

import numpy as np

from service.spaces.nb201.arch import OPS
from service.spaces.nb201.cost import STAGE_CHANNELS, STAGE_SIDES, op_costs
from service.spaces.nb201.graph import NUM_VERTICES, canonical_codes, vertex_dag

ENCODING_VERSION = 1
ENCODINGS: dict[str, tuple[int, ...]] = {
    "renas-full": (1 + 2 * len(STAGE_CHANNELS), NUM_VERTICES, NUM_VERTICES),
    "renas-type": (1, NUM_VERTICES, NUM_VERTICES),
}
DEFAULT_ENCODING = "renas-full"
VERTEX_TYPE = {
    "input": 1,
    "skip_connect": 2,
    "nor_conv_1x1": 3,
    "nor_conv_3x3": 4,
    "avg_pool_3x3": 5,
    "output": 6,
}


def _vertex_values() -> np.ndarray:
    """(7 channels, 7 labels) value of a vertex per channel, indexed by ``vertex_dag`` label + 1.

    Labels + 1: 0 input, 1..5 the ops of ``OPS`` (none included, though none vertices are isolated), 6 output.
    """
    type_value = [VERTEX_TYPE["input"], *(VERTEX_TYPE.get(op, 0) for op in OPS), VERTEX_TYPE["output"]]
    flops, params = [], []
    for c, side in zip(STAGE_CHANNELS, STAGE_SIDES, strict=True):
        op_params, op_flops = op_costs(c, side)
        flops.append(np.concatenate([[0], op_flops / op_flops.max(), [0]]))
        params.append(np.concatenate([[0], op_params / op_params.max(), [0]]))
    return np.stack([type_value, *flops, *params]).astype(np.float32)


VERTEX_VALUES = _vertex_values()


def encode_codes(codes: np.ndarray, encoding: str = DEFAULT_ENCODING) -> np.ndarray:
    """float32 (N, *ENCODINGS[encoding]) tensors of a batch of cells given as (N, 6) op codes."""
    if encoding not in ENCODINGS:
        raise KeyError(f"unknown encoding {encoding!r}; known: {', '.join(ENCODINGS)}")
    adjacency, labels = vertex_dag(canonical_codes(codes))
    channels = ENCODINGS[encoding][0]
    values = VERTEX_VALUES[:channels, labels + 1]  # (channels, N, 8)
    return adjacency[:, None, :, :] * values.transpose(1, 0, 2)[:, :, None, :]
