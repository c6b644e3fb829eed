"""Where a route's CPU work runs: inline on the event loop when it is tiny, else in the threadpool.

Scoring a handful of cells takes well under a millisecond, less than the two thread switches that
``def`` routes pay (and far less on a loaded machine, where each switch waits for a time slice);
anything larger goes to the threadpool so the event loop keeps serving other requests meanwhile.
"""

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

INLINE_CELLS = 16

P = ParamSpec("P")
R = TypeVar("R")


async def run_sized(cells: int, work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    if cells <= INLINE_CELLS:
        return work(*args, **kwargs)
    return await run_in_threadpool(work, *args, **kwargs)
