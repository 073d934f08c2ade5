"""Shared pieces of the browser journeys: Debian's chromium driven by Playwright.

Never `playwright install`: it downloads a browser, which this machine kind cannot do.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these chromium keeps dialling Google's hosts, which the closed network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's

# Outside CI a machine without chromium skips the journeys and says why; CI always runs them.
browser_marks = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and os.environ.get("CI", "").lower() != "true",
        reason=f"{CHROMIUM} is missing (install Debian's chromium package); CI always runs this",
    ),
]


def log_in(page, base_url: str, username: str, *, next_path: str = "") -> None:
    page.goto(f"{base_url}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r"^http://[^/]+/(?!accounts/login/)"))
    if "/accounts/two-factor/" in page.url:
        pass_second_factor(page, username)
        page.wait_for_url(re.compile(r"^http://[^/]+/(?!accounts/)"))


def pass_second_factor(page, username: str) -> None:
    """Board and admin accounts meet two-factor sign-in after the password: enrol an app (first
    time) or type its code, computed here as the person's phone would."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.two_factor import fresh_app_code

    device = TOTPDevice.objects.filter(user__username=username).order_by("-pk").first()
    page.fill("#id_code", fresh_app_code(device))
    page.press("#id_code", "Enter")
    page.wait_for_url(re.compile(r"^http://[^/]+/(?!accounts/two-factor/(setup/)?(\?|$))"))
    if "/accounts/two-factor/recovery-codes/" in page.url:
        page.click("a.btn-primary")  # "I have kept the codes, continue"


def keep_screenshot(screenshot: Path) -> None:
    """Copy a screenshot to $SCREENSHOT_DIR when set, so a run leaves pictures to look at."""
    target = os.environ.get("SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(target) / screenshot.name)


def screenshot(page, path: Path, *, full_page: bool = True) -> None:
    """A picture of the page for $SCREENSHOT_DIR, taken only when that is set: otherwise nobody
    would see it, and a full-page picture costs up to a third of a second."""
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=str(path), full_page=full_page)
        keep_screenshot(path)


# WCAG 2.1 A and AA, the level the portal promises; best practices ride along.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def axe_start(page) -> None:
    """Start axe-core (the copy pinned with axe-playwright-python) on the page as it stands,
    without waiting: another page can load while it runs. `axe_collect` gives its findings."""
    from axe_playwright_python.base import AXE_SCRIPT  # type: ignore[import-untyped]

    page.evaluate(AXE_SCRIPT)
    # axe.run does much of its work before its first pause: begin it in a task of its own, so
    # this call returns at once and the run goes on in the page's renderer.
    page.evaluate(
        "options => { window.__axeRun = new Promise(go => setTimeout(go, 0))"
        ".then(() => axe.run(document, options)); }",
        AXE_OPTIONS,
    )


def axe_collect(page, *, impacts: tuple[str, ...] = ("critical", "serious")) -> list[str]:
    """Wait for the run `axe_start` began on this page; one line per finding of those impacts:
    rule, impact, and the elements it names."""
    response = page.evaluate("() => window.__axeRun")
    return [
        f"{page.url} {violation['id']} ({violation['impact']}): "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in response["violations"]
        if violation["impact"] in impacts
    ]


def axe_findings(page, *, impacts: tuple[str, ...] = ("critical", "serious")) -> list[str]:
    """Run axe-core on the page as it stands and return its findings of those impacts."""
    axe_start(page)
    return axe_collect(page, impacts=impacts)


def assert_no_serious_axe(page) -> None:
    """Fail on any critical or serious axe-core finding: a person with a screen reader, a
    keyboard or weak eyes would be stopped there."""
    findings = axe_findings(page)
    assert findings == [], "\n".join(findings)
