"""`make run` serves the demo on SQLite (README, first command): the officer's everyday path
must run there too, with no PostgreSQL-only SQL on the way. The rest of the suite runs on
PostgreSQL, so this test builds the demo on a SQLite file in a process of its own."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent(
    """
    import io, re
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client

    quiet = io.StringIO()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_campaign", stdout=quiet)
    call_command("load_demo", stdout=quiet)

    from campaigns.models import Submission

    client = Client()
    signed_in = client.post(
        "/accounts/login/", {"username": "officer-608", "password": "kontum2017"}
    )
    assert signed_in.status_code == 302, signed_in.status_code
    home = client.get("/", follow=True).content.decode()
    path = re.search(r'href="(/report/[0-9]+/)"', home)[1]
    page = client.get(path).content.decode()
    version = re.search(r'name="version" value="([0-9]+)"', page)[1]
    for narrative in ("Lần lưu thứ nhất trên SQLite.", "Lần lưu thứ hai trên SQLite."):
        saved = client.post(path, {"version": version, "narrative": narrative, "action": "save"})
        assert saved.status_code == 302, saved.content.decode()[:2000]
        version = str(int(version) + 1)
        assert "Đã lưu nháp." in client.get(path).content.decode()
    # Sending it runs the checklist and the snapshot: refused here (no points yet), the draft
    # kept, and the officer back on the form with the reason.
    sent = client.post(path, {"version": version, "narrative": "Gửi thử.", "action": "submit"})
    assert sent.status_code == 302 and sent["Location"] == path, sent.status_code
    report = Submission.objects.get(narrative="Gửi thử.")
    print("saved", report.history.filter(narrative__startswith="Lần lưu").count(), report.status)
    """
)


def test_an_officer_saves_a_report_on_the_sqlite_demo(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kontum_poverty.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("REDIS_URL", None)  # the demo's Celery runs tasks inline, its cache is in memory

    done = subprocess.run(  # noqa: S603 (this interpreter, the script above)
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-4000:]
    # Both saves went through and each left its history record.
    assert done.stdout.strip().splitlines()[-1] == "saved 2 draft"
