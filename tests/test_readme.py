"""The README's first-screen commands are the ones CI and the container actually run."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_readme_test_command_is_what_ci_runs() -> None:
    test = _bash_blocks((ROOT / "README.md").read_text())[1]
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test in ci_lines, "the README's test command must appear verbatim in .ci/run"
    assert "pytest" in test and "torch==2.13.0" in test


def test_readme_start_command_is_the_container_command() -> None:
    start = _bash_blocks((ROOT / "README.md").read_text())[0]
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    cmd = re.search(r'^CMD \["([^"]+)"\]$', dockerfile, flags=re.M)
    assert cmd is not None
    assert start.endswith(f".venv/bin/{cmd.group(1)}")


def test_ci_requires_the_benchmark_tables() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "RENAS_REQUIRE_DATA=1" in ci and "RENAS_REQUIRE_POSTGRES=1" in ci
    for table in ("nb101_20k.jsonl.gz", "nb201.csv"):
        assert table in ci
