"""The deadline surge: officers save and submit, the Board accepts, leaders watch the dashboard.

For each scale (Kon Tum: 1 province, 10 districts and 15 agencies; national: 63 provinces,
693 districts) it builds a fresh PostgreSQL database with `bench/national.py` (2018 and 2019
reported), opens the year 2020 with its deadline tomorrow and gives every reporting unit an
officer. It serves the portal with gunicorn on 127.0.0.1 and drives it with N concurrent
clients (default 32), each a thread with its own session and CSRF token over plain HTTP, posting
the report form's real fields (read from the form page, as a browser does):

1. *trivial*: every client loads `/bench/trivial/` (a logged-in page rendering `base.html`);
2. *saves*: every client saves a draft of its own unit's report, again and again;
   (1 and 2 alternate in short windows, so that both rates meet the same machine)
3. *surge*: officers save their unit's report twice, then submit it, unit after unit; Board
   clients open each submitted report, score it and accept it; leaders reload the dashboard
   (counting the pages that were a copy behind the figures: `--leaders-refresh`); then how
   long each kind of request took inside the gunicorn workers (their access log), without the
   wait for a free worker that the clients' times include.

Then it reads every report back from the database and counts the writes that were acknowledged
(a redirect) but are missing or different (lost), and the rows written twice (duplicated).
It times a plain Python loop before the phases and after them: the machine's own speed, which on
a shared machine moves by half within an hour, and every figure with it. Prints figures; the
last line holds them as key=value pairs. Not a timed test.

    python bench/surge.py [--scales kontum national] [--clients 32] [--duration 10] [--rounds 5]
                          [--gunicorn-workers 4] [--database-url postgres://…/kontum_surge]
                          [--redis-url redis://127.0.0.1:6379/N] [--leaders-refresh SECONDS]
"""

import argparse
import http.client
import json
import os
import queue
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dashboard import (  # noqa: E402 (needs ROOT on the path)
    _env,
    _setup_django,
    free_port,
    recreate_database,
    start_gunicorn,
)

PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/kontum_surge"
SCALES = {
    # Kon Tum: its 10 district-level units and 15 agencies all report.
    "kontum": {"provinces": 1, "districts": 10, "communes": 10, "organisations": 15},
    # National: about 700 district-level units report (agencies are left out).
    "national": {"provinces": 63, "districts": 11, "communes": 15, "organisations": 15},
}
SURGE_YEAR = 2020
TRIVIAL = "/bench/trivial/"
DASHBOARD = "/dashboard/"
BEHIND = 'id="figures-behind"'  # the note on a leader's copy that is behind the figures
SAVES_PER_UNIT = 2  # in the surge: two drafts, then the submit


# --- Steps run in a child process, against the scale's database --------------------------------


def prepare(scale: str, clients: int) -> dict:
    """Migrate, generate, open the surge year, create the users; return their session cookies."""
    _setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from bench.national import generate
    from campaigns.models import Campaign, Criterion, EmulationBloc, ReportingPeriod
    from units.models import Role, Unit, UnitLevel, User

    call_command("migrate", verbosity=0)
    sizes = SCALES[scale]
    generated = generate(
        provinces=sizes["provinces"],
        districts_per_province=sizes["districts"],
        communes_per_district=sizes["communes"],
        organisations_per_province=sizes["organisations"],
        years=(2018, 2019),
    )
    campaign = Campaign.objects.get()
    today = date.today()
    period = ReportingPeriod.objects.create(
        campaign=campaign,
        year=SURGE_YEAR,
        opens_on=today - timedelta(days=60),
        deadline=today + timedelta(days=1),
    )
    # A small rubric per bloc, as in the tests: two leaves the officer and the Board score.
    for bloc in EmulationBloc.objects.all():
        parent = Criterion.objects.create(
            campaign=campaign, bloc=bloc, code="1", name="Tổ chức phong trào", max_points=20
        )
        for order, (code, points) in enumerate((("1.1", 8), ("1.2", 12)), start=1):
            Criterion.objects.create(
                campaign=campaign,
                bloc=bloc,
                parent=parent,
                code=code,
                name=f"Tiêu chí {code}",
                max_points=points,
                order=order,
            )
    levels = [UnitLevel.DISTRICT]
    if scale == "kontum":
        levels.append(UnitLevel.ORGANISATION)
    units = list(Unit.objects.filter(level__in=levels).order_by("code"))
    board_count = max(1, clients // 8)
    leader_count = max(1, clients // 8)

    def session(user: User) -> str:
        client = Client()
        client.force_login(user)
        # A finished sign-in: password and, for the Board, the second factor (django-otp keeps
        # the device that verified the session in it).
        device, _ = StaticDevice.objects.get_or_create(user=user, name="bench: signed in")
        signed_in = client.session
        signed_in[DEVICE_ID_SESSION_KEY] = device.persistent_id
        signed_in.save()
        return client.cookies["sessionid"].value

    officers = []
    for unit in units:
        user = User.objects.create(username=f"surge-{unit.code}", role=Role.OFFICER, unit=unit)
        officers.append({"unit": unit.pk, "code": unit.code, "cookie": session(user)})
    boards = [
        session(User.objects.create(username=f"surge-board-{i}", role=Role.BOARD))
        for i in range(board_count)
    ]
    leader_users = [
        User.objects.create(username=f"surge-leader-{i}", role=Role.LEADER)
        for i in range(leader_count)
    ]
    leaders = [session(user) for user in leader_users]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "generated": generated.summary(),
        "period": period.pk,
        "officers": officers,
        "boards": boards,
        "leaders": leaders,
        "leader_user": leader_users[0].pk,
    }


def readback(period_pk: int, expected_json: str) -> dict:
    """Compare every acknowledged write with the database; count lost and duplicated ones."""
    _setup_django()
    from django.db.models import Count

    from campaigns.models import CriterionScore, StepAction, Submission, SubmissionStep
    from indicators.models import ModelResult, ReportedValue

    expected: dict[str, dict] = json.loads(Path(expected_json).read_text())
    submissions = {
        s.unit_id: s for s in Submission.objects.filter(period_id=period_pk).select_related("unit")
    }
    values = {
        (v.submission_id, v.indicator.code): v
        for v in ReportedValue.objects.filter(submission__period_id=period_pk).select_related(
            "indicator"
        )
    }
    scores = {
        (s.submission_id, s.criterion_id): s
        for s in CriterionScore.objects.filter(submission__period_id=period_pk)
    }
    results = {
        (r.submission_id, r.model_id): r
        for r in ModelResult.objects.filter(submission__period_id=period_pk)
    }
    lost: list[str] = []
    checked = 0
    for unit_pk, want in expected.items():
        submission = submissions.get(int(unit_pk))
        if submission is None:
            lost.append(f"{want['code']}: no report")
            continue
        checks = {
            "narrative": (submission.narrative, want["narrative"]),
            "fund": (submission.fund_mobilised_vnd, want["fund"]),
            "status": (submission.status, want["status"]),
            # Every acknowledged write bumped the version once (a submit saves, then submits).
            "version": (submission.version, want["version"]),
        }
        for code, (numerator, denominator) in want["values"].items():
            row = values.get((submission.pk, code))
            checks[f"{code}"] = (
                (row.numerator, row.denominator) if row else None,
                (numerator, denominator),
            )
        board_points = want.get("board_points")
        for criterion_pk, points in want["scores"].items():
            row = scores.get((submission.pk, int(criterion_pk)))
            checks[f"score {criterion_pk}"] = (
                (row.self_points, row.board_points) if row else None,
                (Decimal(points), Decimal(board_points) if board_points else None),
            )
        for model_pk, income in want["incomes"].items():
            row = results.get((submission.pk, int(model_pk)))
            checks[f"model {model_pk}"] = (row.average_income_vnd if row else None, income)
        for name, (got, wanted) in checks.items():
            checked += 1
            if got != wanted:
                lost.append(f"{want['code']} {name}: {got!r} != {wanted!r}")

    def twice(queryset, *fields: str) -> int:
        return (
            queryset.values(*fields).annotate(n=Count("pk")).filter(n__gt=1).count()
        )  # rows a unique key should have kept single

    steps = SubmissionStep.objects.filter(submission__period_id=period_pk)
    duplicated = {
        "reports": twice(Submission.objects.filter(period_id=period_pk), "unit"),
        "values": twice(
            ReportedValue.objects.filter(submission__period_id=period_pk),
            "submission",
            "indicator",
        ),
        "scores": twice(
            CriterionScore.objects.filter(submission__period_id=period_pk),
            "submission",
            "criterion",
        ),
        "model results": twice(
            ModelResult.objects.filter(submission__period_id=period_pk), "model", "year"
        ),
        "submit steps": twice(steps.filter(action=StepAction.SUBMIT), "submission"),
        "accept steps": twice(steps.filter(action=StepAction.ACCEPT), "submission"),
    }
    return {
        "reports": len(expected),
        "checked": checked,
        "lost": len(lost),
        "lost_examples": lost[:10],
        "duplicated": sum(duplicated.values()),
        "duplicated_detail": duplicated,
    }


def costs(period_pk: int, unit_pk: int, leader_pk: int) -> dict:
    """Each request alone, in-process: median server time and queries (what a request costs).

    Submits, scores and accepts for real: run it on a copy of the scale's database (see
    `bench_scale`), never on the one the surge then uses.
    """
    _setup_django()
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from units.models import Role, Unit, UnitLevel, User

    def signed_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        device, _ = StaticDevice.objects.get_or_create(user=user, name="bench: signed in")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    unit = Unit.objects.get(pk=unit_pk)
    officer = signed_in(User.objects.get(unit=unit, username__startswith="surge-"))
    leader = signed_in(User.objects.get(pk=leader_pk))
    board = signed_in(User.objects.get(role=Role.BOARD, username="surge-board-0"))
    path = f"/report/{period_pk}/"
    result: dict[str, dict] = {}

    def timed(kind: str, call, rounds: int, setup=None) -> None:
        """`rounds` + 1 calls (the first warms caches); `setup(i)` runs untimed before each."""
        times, queries = [], 0
        for i in range(rounds + 1):
            if setup is not None:
                setup(i)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = call(i)
                elapsed = time.perf_counter() - started
            assert response.status_code in (200, 302), (kind, response.status_code)
            if i:
                times.append(elapsed * 1000)
                queries = len(captured.captured_queries)
        result[kind] = {"ms": round(statistics.median(times), 1), "queries": queries}

    timed("trivial", lambda i: officer.get(TRIVIAL), 20)
    timed("form", lambda i: officer.get(path), 5)
    fields = Forms.of(officer.get(path).content.decode())
    code = {"code": unit.code, "unit": unit.pk}

    def save(i: int):
        data = report_post(fields, unit=code, seq=900 + i, action="save")
        response = officer.post(path, data)
        fields["version"] = str(int(fields["version"]) + 1)
        return response

    timed("save", save, 5)
    timed("dashboard (cached)", lambda i: leader.get(DASHBOARD), 5)

    # A district's report, then its way through the Board: one district per round, since a
    # report is submitted and accepted once.
    districts = list(
        Unit.objects.filter(level=UnitLevel.DISTRICT, staff__username__startswith="surge-")
        .order_by("code")
        .distinct()[:10]
    )
    rounds = len(districts) - 1
    district_officers = [
        signed_in(User.objects.get(unit=d, username__startswith="surge-")) for d in districts
    ]
    timed("district form", lambda i: district_officers[0].get(path), rounds)
    reviews: list[str] = []
    posted: dict[str, str] = {}  # the next timed POST's fields, read from its page untimed

    def save_first(i: int) -> None:
        # Saved once first, as in the surge: the timed request is the submit alone.
        client, district = district_officers[i], districts[i]
        unit = {"code": district.code, "unit": district.pk}
        form = Forms.of(client.get(path).content.decode())
        client.post(path, report_post(form, unit=unit, seq=1, action="save"))
        form["version"] = str(int(form["version"]) + 1)
        posted.clear()
        posted.update(report_post(form, unit=unit, seq=2, action="submit"))

    def submit(i: int):
        response = district_officers[i].post(path, posted)
        assert urlparse(response["Location"]).path != path, "submit refused"
        pk = response["Location"].rstrip("/").rsplit("/", 1)[-1]
        reviews.append(f"/board/submissions/{pk}/")
        return response

    timed("submit", submit, rounds, setup=save_first)
    timed("review page", lambda i: board.get(reviews[i]), rounds)

    def score_form(i: int) -> None:
        posted.clear()
        posted.update(Forms.of(board.get(reviews[i]).content.decode(), f"{reviews[i]}score/"))
        for name in list(posted):
            if name.endswith("-points"):
                posted[name] = "6"
            elif name.endswith("-justification"):
                posted[name] = "Hội đồng thống nhất"

    timed("score", lambda i: board.post(f"{reviews[i]}score/", posted), rounds, setup=score_form)

    def accept_form(i: int) -> None:
        posted.clear()
        posted.update(Forms.of(board.get(reviews[i]).content.decode(), f"{reviews[i]}accept/"))

    def accept(i: int):
        return board.post(f"{reviews[i]}accept/", posted)

    half = len(districts) // 2
    timed("accept", accept, half - 1, setup=accept_form)

    def accept_untimed(i: int) -> None:
        # The first dashboard after an acceptance recomputes every figure.
        accept_form(half + i)
        assert accept(half + i).status_code == 302

    # What a recomputation costs: leaders get one at most every LEADERS_DASHBOARD_REFRESH_SECONDS
    # while figures keep changing, and the last copy in between; measured here as the Board's
    # and officers' pages always are, recomputed after every change.
    with override_settings(LEADERS_DASHBOARD_REFRESH_SECONDS=0):
        timed(
            "dashboard (after accept)",
            lambda i: leader.get(DASHBOARD),
            len(districts) - half - 1,
            setup=accept_untimed,
        )
        result["leaders at once"] = leaders_at_once()
    return result


def leaders_at_once(rounds: int = 3) -> dict:
    """Every leader reloads the dashboard at the same moment, right after the figures changed:
    the slowest one's ms (median over rounds), the queries of all of them, how many computed it.

    Threads of one process share its cache, as gunicorn's workers share Redis in production."""
    from django.test import Client

    from indicators import progress
    from reports.views import dashboard as views
    from units.models import Role, User

    clients = []
    for user in User.objects.filter(role=Role.LEADER, username__startswith="surge-"):
        client = Client()
        client.force_login(user)
        clients.append(client)
    computed: list[int] = []
    page = views.dashboard_page

    def counted(**kwargs):
        computed.append(1)
        return page(**kwargs)

    views.dashboard_page = counted  # counts the computations, computes as before
    slowest, queries, computations = [], [], []
    try:
        for _ in range(rounds):
            progress.figures_changed()
            computed.clear()
            times, counts = _together(clients)
            slowest.append(max(times))
            queries.append(sum(counts))
            computations.append(len(computed))
    finally:
        views.dashboard_page = page
    return {
        "ms": round(statistics.median(slowest), 1),
        "queries": round(statistics.median(queries)),
        "leaders": len(clients),
        "computed": max(computations),
    }


def _together(clients: list) -> tuple[list[float], list[int]]:
    """Each client loads the dashboard in its own thread, all at once: ms and queries of each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = threading.Barrier(len(clients))
    times: list[float] = []
    counts: list[int] = []

    def reload(client) -> None:
        start.wait()
        with CaptureQueriesContext(connection) as captured:
            begun = time.perf_counter()
            assert client.get(DASHBOARD).status_code == 200
            times.append((time.perf_counter() - begun) * 1000)
        counts.append(len(captured.captured_queries))
        connection.close()

    threads = [threading.Thread(target=reload, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, counts


def copy_database(source_url: str, target_url: str) -> None:
    """A copy of a database no one is connected to (PostgreSQL copies it file by file)."""
    import psycopg2

    parts = urlparse(target_url)
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
        if source_url:
            source = urlparse(source_url).path.lstrip("/")
            cursor.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}" TEMPLATE "{source}"')
    admin.close()


def _child(step: str, db_url: str, *args: str) -> dict:
    output = subprocess.run(
        [PYTHON, __file__, f"--child-{step}", *args],
        env=_env(db_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if output.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


# --- HTTP clients ---------------------------------------------------------------------------


# The tags a form is made of, and the end of a select or textarea (the portal writes its
# attributes in double quotes, as Django's widgets do).
_FORM_TAG = re.compile(r"<(form|input|select|option|textarea)\b([^>]*)>|</(select|textarea)>")
_ATTRIBUTE = re.compile(r'([^\s="/>]+)(?:="([^"]*)")?')


class Forms:
    """The fields of every POST form on a page, as a browser would send them unchanged.

    Read with one regular expression over a form's own tags rather than an HTML parser: the
    clients share the machine with the server they measure, and `html.parser` took ~4 ms of
    their CPU for each report form page (23 KB) they read, ~0.2 ms this way."""

    @staticmethod
    def parse(html: str) -> list[dict]:
        forms: list[dict] = []
        select: str | None = None  # the select being read
        seen = False  # whether it has shown an option yet
        for match in _FORM_TAG.finditer(html):
            tag, text, closing = match.groups()
            if closing == "select":
                select = None
                continue
            if closing:
                continue
            a = {name: unescape(value) for name, value in _ATTRIBUTE.findall(text)}
            if tag == "form":
                forms.append({"action": a.get("action", ""), "fields": {}})
            elif not forms:
                continue
            elif tag == "option":
                # A browser sends the selected option, else the first.
                if select is not None and ("selected" in a or not seen):
                    forms[-1]["fields"][select] = a.get("value", "")
                seen = True
            elif "name" not in a:
                continue
            elif tag == "input" and a.get("type") not in {"file", "submit", "button", "checkbox"}:
                forms[-1]["fields"][a["name"]] = a.get("value", "")
            elif tag == "select":
                select, seen = a["name"], False
                forms[-1]["fields"][select] = ""
            elif tag == "textarea":
                content = html[match.end() : html.index("</textarea>", match.end())]
                # A browser drops the newline that opens a textarea's content.
                forms[-1]["fields"][a["name"]] = unescape(content.removeprefix("\n"))
        return forms

    @classmethod
    def of(cls, html: str, action: str = "") -> dict[str, str]:
        for form in cls.parse(html):
            if form["action"] == action and "csrfmiddlewaretoken" in form["fields"]:
                return dict(form["fields"])
        raise LookupError(f"no form posting to {action or 'the page itself'}")


@dataclass
class Timings:
    lock: threading.Lock = field(default_factory=threading.Lock)
    samples: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    first_failures: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            if ok:
                self.samples.setdefault(kind, []).append(seconds)
            else:
                self.errors[kind] = self.errors.get(kind, 0) + 1
                self.first_failures.setdefault(kind, detail)


class Browser:
    """One user's session over one keep-alive connection: cookies, CSRF token, timings."""

    def __init__(self, port: int, sessionid: str, timings: Timings) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = {"sessionid": sessionid}
        self.timings = timings

    def request(self, method: str, path: str, kind: str, data: dict | None = None):
        body = urlencode(data) if data is not None else None
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-Bench-Kind": kind,  # for the server's side of the timings (`server_times`)
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()  # gunicorn's sync workers close after each response
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        expected = 302 if method == "POST" else 200
        text = content.decode()
        self.timings.add(kind, elapsed, response.status == expected, f"{response.status} {text}")
        return response.status, response.headers.get("Location", ""), text


def report_post(fields: dict[str, str], *, unit: dict, seq: int, action: str) -> dict:
    """The report form as the officer leaves it: every figure distinct per unit and save."""
    data = dict(fields)
    rng = random.Random(f"{unit['code']}-{seq}")
    data["narrative"] = f"Báo cáo năm {SURGE_YEAR} của {unit['code']}, lần lưu {seq}."
    data["fund_mobilised_vnd"] = str(100_000_000 + 1000 * seq + unit["unit"])
    for name in list(data):
        if name.endswith("-comment"):
            data[name] = "Số liệu đã được rà soát, khớp với báo cáo của các xã."
        elif name.startswith("value-") and name.endswith("-denominator"):
            data[name] = str(40_000 + unit["unit"])
        elif name.startswith("value-") and name.endswith("-numerator"):
            data[name] = str(20_000 + 10 * seq + rng.randint(0, 9))
        elif name.startswith("model-") and name.endswith("-income"):
            # Above every 2019 income the generator wrote: a fall would need an explanation.
            data[name] = str(40_000_000 + 10_000 * seq + rng.randint(0, 9))
        elif name.startswith("model-") and name.endswith("-escaped"):
            data[name] = "3"
        elif name.startswith("score-") and name.endswith("-points"):
            data[name] = str(5 + seq % 3)
        elif name.startswith("score-") and name.endswith("-justification"):
            data[name] = "Đạt"
    data["action"] = action
    return data


def expectation(data: dict[str, str], *, unit: dict, status: str, version: int) -> dict:
    """What the database must hold once this post was acknowledged."""
    return {
        "code": unit["code"],
        "narrative": data["narrative"],
        "fund": int(data["fund_mobilised_vnd"]),
        "status": status,
        "version": version,
        "values": {
            name.split("-")[1]: (
                int(data[name]),
                int(data[name.replace("numerator", "denominator")]),
            )
            for name in data
            if name.startswith("value-") and name.endswith("-numerator")
        },
        "incomes": {
            name.split("-")[1]: int(data[name])
            for name in data
            if name.startswith("model-") and name.endswith("-income")
        },
        "scores": {
            name.split("-")[1]: data[name]
            for name in data
            if name.startswith("score-") and name.endswith("-points")
        },
    }


# --- Phases ---------------------------------------------------------------------------------


def run_threads(workers: list, duration: float | None = None) -> float:
    stop = time.monotonic() + duration if duration else None
    threads = [threading.Thread(target=w, args=(stop,)) for w in workers]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def phase_rates(
    port: int, period: int, officers: list[dict], duration: float, rounds: int, expected: dict
) -> tuple[float, Timings, float, Timings]:
    """Every client loads the trivial page in a loop, then saves its own unit's draft in a loop,
    in `rounds` alternating windows of duration / rounds seconds each.

    Alternating windows meet the same machine: on a shared machine whose load comes and goes,
    two phases one after the other compared the rates of two different moments. Each client
    reads its form once before the first window, as a browser would before its first save."""
    trivial, saves = Timings(), Timings()
    path = f"/report/{period}/"
    browsers = {u["unit"]: Browser(port, u["cookie"], saves) for u in officers}
    fields = {}
    for unit in officers:
        _, _, html = browsers[unit["unit"]].request("GET", path, "form")
        fields[unit["unit"]] = Forms.of(html)
    seqs = dict.fromkeys(fields, 0)

    def trivial_worker(unit: dict):
        def run(stop: float) -> None:
            browser = Browser(port, unit["cookie"], trivial)
            while time.monotonic() < stop:
                browser.request("GET", TRIVIAL, "trivial")

        return run

    def save_worker(unit: dict):
        def run(stop: float) -> None:
            browser, own = browsers[unit["unit"]], fields[unit["unit"]]
            while time.monotonic() < stop:
                seqs[unit["unit"]] += 1
                data = report_post(own, unit=unit, seq=seqs[unit["unit"]], action="save")
                status, _, _ = browser.request("POST", path, "save", data)
                if status == 302:
                    own["version"] = str(int(own["version"]) + 1)
                    expected[unit["unit"]] = expectation(
                        data, unit=unit, status="draft", version=int(own["version"])
                    )

        return run

    window = duration / rounds
    trivial_elapsed = saves_elapsed = 0.0
    for _round in range(rounds):
        trivial_elapsed += run_threads([trivial_worker(u) for u in officers], window)
        saves_elapsed += run_threads([save_worker(u) for u in officers], window)
    return (
        len(trivial.samples.get("trivial", [])) / trivial_elapsed,
        trivial,
        len(saves.samples.get("save", [])) / saves_elapsed,
        saves,
    )


def phase_surge(
    port: int, prepared: dict, officer_clients: int, expected: dict
) -> tuple[float, Timings, int, int]:
    """Officers save twice and submit unit after unit; the Board accepts; leaders watch."""
    timings = Timings()
    period = prepared["period"]
    path = f"/report/{period}/"
    todo: queue.Queue = queue.Queue()
    for unit in prepared["officers"]:
        todo.put(unit)
    submitted: queue.Queue = queue.Queue()
    officers_done = threading.Event()
    running = [officer_clients]
    lock = threading.Lock()
    accepted = [0]
    outstanding = [0]  # submitted reports the Board has not finished with
    behind = [0]  # leaders' pages that were a copy behind the figures, saying so

    def officer(stop: float | None) -> None:
        try:
            while True:
                try:
                    unit = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    report_unit(unit)
                except Exception as exc:  # a page without its form: count it, go on
                    timings.add("officer error", 0, False, repr(exc))
        finally:
            with lock:
                running[0] -= 1
                if running[0] == 0:
                    officers_done.set()

    def report_unit(unit: dict) -> None:
        browser = Browser(port, unit["cookie"], timings)
        status, _, html = browser.request("GET", path, "form")
        fields = Forms.of(html)
        seq = 100  # distinct from the saves phase
        for action in ["save"] * SAVES_PER_UNIT + ["submit"]:
            seq += 1
            data = report_post(fields, unit=unit, seq=seq, action=action)
            status, location, _ = browser.request("POST", path, action, data)
            if status != 302:
                return
            # A refused submit still saves the draft and comes back to the form with the reason.
            sent = action == "submit" and urlparse(location).path != path
            fields["version"] = str(int(fields["version"]) + (2 if sent else 1))
            expected[unit["unit"]] = expectation(
                data,
                unit=unit,
                status="submitted" if sent else "draft",
                version=int(fields["version"]),
            )
            if action == "submit" and not sent:
                _, _, page = browser.request("GET", path, "form")
                timings.add("submit refused", 0, False, page)
            if sent:
                with lock:
                    outstanding[0] += 1
                submitted.put((unit, location.rstrip("/").rsplit("/", 1)[-1]))

    def board(cookie: str):
        def run(stop: float | None) -> None:
            browser = Browser(port, cookie, timings)
            while True:
                try:
                    unit, pk = submitted.get(timeout=0.2)
                except queue.Empty:
                    if officers_done.is_set() and submitted.empty():
                        return
                    continue
                try:
                    review_unit(browser, unit, pk)
                except Exception as exc:  # a page without its form: count it, go on
                    timings.add("board error", 0, False, repr(exc))
                finally:
                    with lock:
                        outstanding[0] -= 1

        return run

    def review_unit(browser: Browser, unit: dict, pk: str) -> None:
        review = f"/board/submissions/{pk}/"
        status, _, html = browser.request("GET", review, "review page")
        score = Forms.of(html, f"{review}score/")
        for name in list(score):
            if name.endswith("-points"):
                score[name] = "6"
            elif name.endswith("-justification"):
                score[name] = "Hội đồng thống nhất"
        status, _, _ = browser.request("POST", f"{review}score/", "score", score)
        if status != 302:
            return
        status, _, html = browser.request("GET", review, "review page")
        accept = Forms.of(html, f"{review}accept/")
        status, _, _ = browser.request("POST", f"{review}accept/", "accept", accept)
        if status == 302:
            want = expected[unit["unit"]]
            want["status"] = "accepted"
            want["version"] += 2  # the Board's points, then the acceptance
            want["board_points"] = "6"
            with lock:
                accepted[0] += 1

    def leader(cookie: str):
        def run(stop: float | None) -> None:
            browser = Browser(port, cookie, timings)
            while not (officers_done.is_set() and outstanding[0] == 0):
                _, _, page = browser.request("GET", DASHBOARD, "dashboard")
                if BEHIND in page:
                    with lock:
                        behind[0] += 1

        return run

    workers = [officer] * officer_clients
    workers += [board(c) for c in prepared["boards"]]
    workers += [leader(c) for c in prepared["leaders"]]
    elapsed = run_threads(workers)
    return elapsed, timings, accepted[0], behind[0]


# --- Orchestration --------------------------------------------------------------------------


def server_times(access_log: Path, offset: int) -> dict[str, list[float]]:
    """Each kind's times in a gunicorn worker (ms), from the access log after `offset`: what the
    requests cost the server without the wait for a free worker, which the clients' own times
    include."""
    times: dict[str, list[float]] = {}
    with access_log.open("rb") as log:
        log.seek(offset)
        for line in log.read().decode().splitlines():
            kind, _, micros = line.rpartition(" ")
            if kind and kind != "-" and micros.isdigit():
                times.setdefault(kind, []).append(int(micros) / 1000)
    return times


def machine_speed() -> float:
    """Seconds a plain Python loop of 10 million additions takes now: the machine's own speed,
    which on a shared machine moves by half within an hour (about 0.35 s at its fastest here),
    and every figure of a run with it."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return round(time.perf_counter() - started, 2)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def bench_scale(scale: str, args: argparse.Namespace) -> dict[str, float]:
    db_url = f"{args.database_url}_{scale}"
    recreate_database(db_url)
    prepared = _child("prepare", db_url, scale, str(args.clients))
    officers = prepared["officers"]
    print(f"[{scale}] data: {prepared['generated']}; {len(officers)} reporting units", flush=True)
    n = args.clients
    # Each client of the first two phases has a unit of its own (its report is its own to save).
    phase_clients = officers[: min(n, len(officers))]
    if len(phase_clients) < n:
        print(f"[{scale}] only {len(phase_clients)} units: phases 1-2 use that many clients")
    # On a copy: the costs step submits and accepts reports the surge must find as drafts.
    costs_url = f"{db_url}_costs"
    copy_database(db_url, costs_url)
    try:
        cost = _child(
            "costs",
            costs_url,
            str(prepared["period"]),
            str(officers[-1]["unit"]),
            str(prepared["leader_user"]),
        )
    finally:
        copy_database("", costs_url)
    print(
        f"[{scale}] one request alone, in-process (median ms / queries): "
        + ", ".join(f"{k} {v['ms']} / {v['queries']}" for k, v in cost.items())
        + f" ({cost['leaders at once']['leaders']} leaders, computed "
        f"{cost['leaders at once']['computed']}×)",
        flush=True,
    )
    speed_before = machine_speed()
    port = free_port()
    access_log = Path(f"/tmp/surge-access-{os.getpid()}-{scale}.log")  # noqa: S108
    access_log.unlink(missing_ok=True)
    server = start_gunicorn(db_url, port, args.gunicorn_workers, access_log=access_log)
    expected: dict = {}
    figures: dict[str, float] = {}
    try:
        warm = Timings()
        for cookie in [phase_clients[0]["cookie"], *prepared["leaders"][:1]]:
            for _ in range(2 * args.gunicorn_workers):
                Browser(port, cookie, warm).request("GET", TRIVIAL, "warm")
        Browser(port, prepared["leaders"][0], warm).request("GET", DASHBOARD, "warm")
        if warm.errors:
            raise RuntimeError(f"warm-up failed: {warm.errors}")

        trivial_rps, trivial, save_rps, saves = phase_rates(
            port, prepared["period"], phase_clients, args.duration, args.rounds, expected
        )
        officer_clients = max(1, n - len(prepared["boards"]) - len(prepared["leaders"]))
        surge_from = access_log.stat().st_size if access_log.exists() else 0
        elapsed, surge, accepted, behind = phase_surge(port, prepared, officer_clients, expected)
    finally:
        server.terminate()
        server.wait(timeout=60)
    speed_after = machine_speed()
    in_workers = server_times(access_log, surge_from)
    access_log.unlink(missing_ok=True)

    expected_file = Path(f"/tmp/surge-expected-{os.getpid()}-{scale}.json")  # noqa: S108
    expected_file.write_text(json.dumps({str(k): v for k, v in expected.items()}))
    checked = _child("readback", db_url, str(prepared["period"]), str(expected_file))
    expected_file.unlink()

    ratio = save_rps / trivial_rps
    print(
        f"[{scale}] machine speed: a Python loop of 10 million additions took {speed_before} s "
        f"before the phases below, {speed_after} s after (about 0.35 s at this machine's fastest)",
        flush=True,
    )
    print(
        f"[{scale}] {len(phase_clients)} clients, gunicorn {args.gunicorn_workers} sync workers: "
        f"trivial page {trivial_rps:.1f} req/s, saves {save_rps:.1f} req/s "
        f"({100 * ratio:.0f}% of trivial; goal ≥ 50%)",
        flush=True,
    )
    for label, timings in (("trivial", trivial), ("saves", saves)):
        for kind, samples in timings.samples.items():
            p50, p95 = percentiles(samples)
            print(
                f"[{scale}]   {label} phase {kind}: n={len(samples)} "
                f"p50 {p50:.0f} ms, p95 {p95:.0f} ms"
            )
        if timings.errors:
            print(f"[{scale}]   {label} phase errors: {timings.errors}")
    print(
        f"[{scale}] surge, {n} clients ({officer_clients} officers, {len(prepared['boards'])} "
        f"Board, {len(prepared['leaders'])} leaders): {len(officers)} reports saved "
        f"{SAVES_PER_UNIT}× and submitted, {accepted} accepted in {elapsed:.1f} s",
        flush=True,
    )
    figures.update(
        {
            f"{scale}_trivial_rps": round(trivial_rps, 1),
            f"{scale}_save_rps": round(save_rps, 1),
            f"{scale}_save_ratio": round(ratio, 3),
            f"{scale}_loop_before_s": speed_before,
            f"{scale}_loop_after_s": speed_after,
        }
    )
    for kind, alone in cost.items():
        key = kind.replace(" (", "_").replace(")", "").replace(" ", "_")
        figures[f"{scale}_alone_{key}_ms"] = alone["ms"]
        figures[f"{scale}_alone_{key}_queries"] = alone["queries"]
    figures[f"{scale}_leaders_at_once_computed"] = cost["leaders at once"]["computed"]
    for kind in ("save", "submit", "score", "accept", "dashboard", "form", "review page"):
        samples = surge.samples.get(kind, [])
        if not samples:
            continue
        p50, p95 = percentiles(samples)
        goal = " (goal < 500)" if kind in {"save", "submit", "accept", "dashboard"} else ""
        print(f"[{scale}]   {kind}: n={len(samples)} p50 {p50:.0f} ms, p95 {p95:.0f} ms{goal}")
        if kind == "dashboard":
            print(
                f"[{scale}]     of which {behind} a copy behind the figures, saying when they "
                f"were up to date (leaders' pages are recomputed at most every "
                f"{os.environ.get('LEADERS_DASHBOARD_REFRESH_SECONDS', '10')} s)"
            )
            figures[f"{scale}_dashboard_behind"] = behind
        key = kind.replace(" ", "_")
        figures[f"{scale}_{key}_p50_ms"] = round(p50)
        figures[f"{scale}_{key}_p95_ms"] = round(p95)
    busy = sum(sum(times) for times in in_workers.values()) or 1.0
    print(
        f"[{scale}]   time in the gunicorn workers during the surge (mean ms, share of it): "
        + ", ".join(
            f"{kind} {statistics.mean(times):.0f} / {100 * sum(times) / busy:.0f} %"
            for kind, times in sorted(in_workers.items(), key=lambda item: -sum(item[1]))
        ),
        flush=True,
    )
    for kind, times in in_workers.items():
        figures[f"{scale}_in_worker_{kind.replace(' ', '_')}_ms"] = round(statistics.mean(times), 1)
    for timings in (saves, surge):
        for kind, detail in timings.first_failures.items():
            Path(f"/tmp/surge-failure-{scale}-{kind.replace(' ', '-')}.html").write_text(detail)  # noqa: S108
    if surge.errors:
        print(f"[{scale}]   refused or failed requests in the surge: {surge.errors}")
    print(
        f"[{scale}] read back: {checked['reports']} reports, {checked['checked']} values checked, "
        f"{checked['lost']} lost, {checked['duplicated']} duplicated",
        flush=True,
    )
    for example in checked["lost_examples"]:
        print(f"[{scale}]   lost: {example}")
    figures[f"{scale}_errors"] = sum(surge.errors.values()) + sum(saves.errors.values())
    figures[f"{scale}_lost"] = checked["lost"]
    figures[f"{scale}_duplicated"] = checked["duplicated"]
    return figures


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("--child-"):
        step = sys.argv[1].removeprefix("--child-")
        if step == "prepare":
            print(json.dumps(prepare(sys.argv[2], int(sys.argv[3]))))
        elif step == "costs":
            print(json.dumps(costs(*(int(arg) for arg in sys.argv[2:5]))))
        else:
            print(json.dumps(readback(int(sys.argv[2]), sys.argv[3])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", choices=list(SCALES), default=list(SCALES))
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds of trivial pages, and of saves"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating windows the durations are cut into"
    )
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument(
        "--redis-url",
        default="",
        help="serve with this Redis as the shared cache, as in production (its database is "
        "emptied first); default: each worker's local-memory cache",
    )
    parser.add_argument(
        "--leaders-refresh",
        type=int,
        default=None,
        help="LEADERS_DASHBOARD_REFRESH_SECONDS for the server (default: the portal's, 10; "
        "0 recomputes leaders' pages on every change)",
    )
    args = parser.parse_args()
    if args.leaders_refresh is not None:
        os.environ["LEADERS_DASHBOARD_REFRESH_SECONDS"] = str(args.leaders_refresh)
    if args.redis_url:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        os.environ["REDIS_URL"] = args.redis_url  # read by the server and every child step
    else:
        os.environ.pop("REDIS_URL", None)
    print(
        f"machine: {os.cpu_count()} cores, load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; cache: "
        f"{'Redis ' + args.redis_url if args.redis_url else 'local memory per worker'}",
        flush=True,
    )
    figures: dict[str, float] = {}
    for scale in args.scales:
        figures.update(bench_scale(scale, args))
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
