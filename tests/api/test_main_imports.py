"""The service must start on a machine without torch: importing it pulls in neither torch nor the trainer."""

import subprocess
import sys


def test_importing_the_service_does_not_import_torch() -> None:
    code = (
        "import sys, service.main, service.jobs.worker\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "assert not any(m.split('.')[0] == 'trainer' for m in sys.modules), 'the trainer was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
