"""The service must start on a machine without torch: importing it must not pull torch in."""

import subprocess
import sys


def test_importing_the_service_does_not_import_torch() -> None:
    code = (
        "import sys, service.main, service.jobs.worker\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
