"""Time the NAS-Bench-101 ReNAS encoder on one core over all 20,001 cells of nb101_20k.jsonl.gz.

    .venv/bin/python scripts/bench_nb101_encoding.py [--repeats 5]

Reports the best of the repeats, in cells per second, for: parse + encode from the JSON objects
(``{"matrix", "ops"}`` dicts, what the service receives), and encode alone from parsed cells;
both for "renas-full" and "renas-type". Target: >= 20,000 cells/s.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one core, before numpy loads its BLAS

import argparse  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

from rich.console import Console  # noqa: E402

from service.spaces.nb101.space import NB101_SPACE  # noqa: E402
from trainer.tables import load_nb101  # noqa: E402


def best_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    objects = [{"matrix": r.matrix, "ops": r.ops} for r in load_nb101()]
    cells = [NB101_SPACE.parse(o) for o in objects]
    console = Console()
    console.print(f"{len(cells):,} cells, best of {args.repeats}, one thread")
    for encoding in NB101_SPACE.encodings:
        runs = {
            "parse + encode": lambda e=encoding: NB101_SPACE.encode(
                [NB101_SPACE.parse(o) for o in objects], e
            ),
            "encode": lambda e=encoding: NB101_SPACE.encode(cells, e),
        }
        for name, run in runs.items():
            seconds = best_seconds(run, args.repeats)
            console.print(f"{encoding:11} {name:15} {seconds:6.3f} s  {len(cells) / seconds:9,.0f} cells/s")


if __name__ == "__main__":
    main()
