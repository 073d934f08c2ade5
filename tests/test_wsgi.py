"""What a gunicorn worker holds once it has loaded the portal (kontum_poverty/wsgi.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

LOAD = """
import gc, json, sys
import kontum_poverty.wsgi
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "views_loaded": "campaigns.reporting.views" in sys.modules,
}))
"""


def test_a_worker_loads_every_view_then_keeps_its_objects_out_of_the_collector():
    """A full garbage collection used to walk the whole loaded portal, stalling the request in
    hand; the objects loaded at start are set aside once, with the views already imported."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kontum_poverty.settings", "DEBUG": "1"}
    output = subprocess.run(  # noqa: S603 (this interpreter, the script above)
        [sys.executable, "-c", LOAD],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    worker = json.loads(output.stdout.strip().splitlines()[-1])

    assert worker["views_loaded"]
    assert worker["frozen"] > 100_000
