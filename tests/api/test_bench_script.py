"""scripts/bench_service.py runs end to end (tiny counts, tiny models) and reports every number."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_service.py"


def test_bench_reports_every_case(models_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    counts = [
        "--predict-requests",
        "2",
        "--rank-requests",
        "2",
        "--rank-all-requests",
        "2",
        "--nb101-cells",
        "20",
    ]
    command = [sys.executable, str(SCRIPT), "--models-dir", str(models_dir), "--repeats", "1", *counts]
    result = subprocess.run([*command, "--json-out", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    numbers = json.loads(out.read_text())
    assert [s["case"] for s in numbers["stats"]] == [
        "GET /healthz (HTTP floor: no model, no database)",
        "/predict, 1 NB-101 cell",
        "/rank, 20 NB-101 cells",
        "/rank, all 15,625 NB-201 cells",
    ]
    assert all(s["p50_ms"] > 0 and s["requests"] == 2 for s in numbers["stats"])
    assert set(numbers["ratios"]) == {"/rank, 20 NB-101 cells", "/rank, all 15,625 NB-201 cells"}
    assert len(numbers["search_job_seconds"]) == 1
    assert set(numbers["space_calls_ms"]["/rank, 20 NB-101 cells"]) == {"parse", "identity", "cost", "encode"}
    assert "| /predict, 1 NB-101 cell | 2 |" in result.stdout
