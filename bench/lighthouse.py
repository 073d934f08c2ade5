"""Lighthouse on the portal's main pages, every role, phone settings (Lighthouse's default: a
mid-range phone on slow 4G, simulated): performance, accessibility, best practices, bytes
transferred and console errors. Prints figures; not a test.

Needs a running portal (DEBUG off, like production: compressed static files, WhiteNoise) on
--base-url, filled with `load_demo`, and this process pointed at the same database (it signs the
demo people in by writing their sessions there). Lighthouse comes from npm, installed outside the
repository, and drives Debian's chromium:

    mkdir /tmp/lh && (cd /tmp/lh && npm i -E lighthouse@12.8.2)
    python bench/lighthouse.py --lighthouse /tmp/lh/node_modules/.bin/lighthouse
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"


def _sessions() -> dict[str | None, str]:
    """A signed-in session for each demo role (two-factor passed), and none for the public."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontum_poverty.settings")
    import django

    django.setup()
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from units.models import User

    cookies: dict[str | None, str] = {None: ""}
    for username in ("officer-608", "leader", "board", "admin"):
        client = Client()
        user = User.objects.get(username=username)
        client.force_login(user)
        device, _ = StaticDevice.objects.get_or_create(user=user, name="bench: lighthouse")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        cookies[username] = client.cookies["sessionid"].value
    return cookies


def _pages() -> list[tuple[str | None, str]]:
    from campaigns.models import ReportingPeriod, Submission, SubmissionStatus

    latest = ReportingPeriod.objects.order_by("-year").first()
    review = (
        Submission.objects.exclude(status=SubmissionStatus.DRAFT)
        .order_by("-period__year", "pk")
        .first()
    )
    assert latest is not None and review is not None, "load the demo first"
    return [
        (None, "/accounts/login/"),
        (None, "/public/"),
        ("officer-608", "/"),
        ("officer-608", f"/report/{latest.pk}/"),
        ("leader", "/"),
        ("leader", "/dashboard/"),
        ("board", "/"),
        ("board", f"/board/{latest.pk}/queue/"),
        ("board", f"/board/submissions/{review.pk}/"),
        ("board", f"/board/{latest.pk}/ranking/"),
        ("board", f"/board/{latest.pk}/awards/"),
        ("board", f"/board/{latest.pk}/year/"),
        ("board", "/documents/"),
        ("admin", "/import/"),
    ]


def _run(lighthouse: str, url: str, cookie: str) -> dict:
    command = [
        lighthouse,
        url,
        "--only-categories=performance,accessibility,best-practices",
        f"--chrome-flags={CHROME_FLAGS}",
        "--output=json",
        "--output-path=stdout",
        "--quiet",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": f"sessionid={cookie}"}))
    # Chromium now and then fails to start on a loaded machine: one more try before giving up.
    for _attempt in (1, 2):
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode == 0:
            return json.loads(result.stdout)
    raise RuntimeError(f"lighthouse failed on {url}: {result.stderr[-500:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8103")
    parser.add_argument("--lighthouse", default=os.environ.get("LIGHTHOUSE", "lighthouse"))
    args = parser.parse_args()
    os.environ.setdefault("CHROME_PATH", "/usr/bin/chromium")
    cookies = _sessions()
    print("| page | role | performance | accessibility | best practices | KB | console errors |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for role, path in _pages():
        try:
            report = _run(args.lighthouse, args.base_url + path, cookies[role])
        except RuntimeError as exc:
            print(f"| {path} | {role or 'public'} | failed: {str(exc)[:80]} |", flush=True)
            continue
        scores = {key: round(100 * (c["score"] or 0)) for key, c in report["categories"].items()}
        audits = report["audits"]
        weight = audits["total-byte-weight"]["numericValue"] / 1024
        errors = len(audits["errors-in-console"].get("details", {}).get("items", []))
        print(
            f"| {path} | {role or 'public'} | {scores['performance']} | "
            f"{scores['accessibility']} | {scores['best-practices']} | {weight:.0f} | {errors} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
