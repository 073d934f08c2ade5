"""The Board's review queue: states and counts, overdue, on-time rate per bloc, changed since a
return, filter and sort allow-lists, and who may open it."""

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.diffs import Change, snapshot_diff
from campaigns.models import StepAction, Submission, SubmissionStatus, SubmissionStep
from campaigns.queue import review_queue
from reports.selectors import bloc_completeness
from tests.factories import (
    BlocFactory,
    BlocMembershipFactory,
    CommuneFactory,
    DeadlineExtensionFactory,
    DepartmentFactory,
    DistrictFactory,
    PeriodFactory,
    ProvinceFactory,
    SubmissionFactory,
    SubmissionStepFactory,
    UserFactory,
)
from tests.report_setup import VN_TZ

pytestmark = pytest.mark.django_db

# PeriodFactory's 2019 deadline is 15/01/2020.
DEADLINE = date(2020, 1, 15)
BEFORE_DEADLINE = date(2020, 1, 10)
AFTER_DEADLINE = date(2020, 2, 1)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN_TZ)


@pytest.fixture
def period():
    return PeriodFactory(year=2019)


@pytest.fixture
def bloc(period):
    return BlocFactory(campaign=period.campaign, code="districts", name="Khối huyện")


def member(bloc, unit=None, **unit_kwargs):
    unit = unit or DistrictFactory(**unit_kwargs)
    BlocMembershipFactory(bloc=bloc, unit=unit)
    return unit


def step(submission, action, day, *, snapshot=None, comment=""):
    """A step of the report's life on a given day (steps stamp their own time on creation)."""
    to_status = {
        StepAction.SUBMIT: SubmissionStatus.SUBMITTED,
        StepAction.RETURN: SubmissionStatus.RETURNED,
        StepAction.ACCEPT: SubmissionStatus.ACCEPTED,
    }[action]
    created = SubmissionStepFactory(
        submission=submission,
        action=action,
        to_status=to_status,
        snapshot=snapshot or {},
        comment=comment or ("Bổ sung số liệu." if action == StepAction.RETURN else ""),
    )
    SubmissionStep.objects.filter(pk=created.pk).update(at=at(day))
    return created


def submitted(period, unit, day, **kwargs):
    submission = SubmissionFactory(period=period, unit=unit, submitted=True, **kwargs)
    step(submission, StepAction.SUBMIT, day)
    return submission


def queue_of(period, today=BEFORE_DEADLINE, sort="", **filters):
    return review_queue(period=period, filters=filters, sort=sort, today=today)


def rows_by_code(queue):
    return {row.unit.code: row for row in queue.rows}


# --- States and counts --------------------------------------------------------------------------


def test_every_participating_unit_is_listed_with_its_state(period, bloc):
    none = member(bloc, code="801")
    draft = member(bloc, code="802")
    sent = member(bloc, code="803")
    back = member(bloc, code="804")
    done = member(bloc, code="805")
    SubmissionFactory(period=period, unit=draft)
    submitted(period, sent, BEFORE_DEADLINE)
    submitted(period, back, BEFORE_DEADLINE, status=SubmissionStatus.RETURNED)
    SubmissionFactory(period=period, unit=done, accepted=True)

    queue = queue_of(period)

    states = {code: row.state for code, row in rows_by_code(queue).items()}
    assert states == {
        none.code: "not_started",
        draft.code: "draft",
        sent.code: "submitted",
        back.code: "returned",
        done.code: "accepted",
    }
    assert {c.state: c.count for c in queue.counts} == {
        "not_started": 1,
        "draft": 1,
        "submitted": 1,
        "returned": 1,
        "accepted": 1,
    }
    assert queue.total == 5


def test_units_outside_the_campaigns_blocs_or_inactive_are_not_in_the_queue(period, bloc):
    member(bloc, code="801")
    member(bloc, code="802", is_active=False)
    DistrictFactory(code="803")  # in no bloc
    other_campaign = BlocFactory(campaign__number="99/UBND", code="other")
    member(other_campaign, code="804")

    queue = queue_of(period)

    assert list(rows_by_code(queue)) == ["801"]
    assert sum(c.count for c in queue.counts) == 1


def test_counts_cover_the_whole_year_whatever_the_filter(period, bloc):
    member(bloc, code="801")
    submitted(period, member(bloc, code="802"), BEFORE_DEADLINE)

    queue = queue_of(period, state="submitted")

    assert [row.unit.code for row in queue.rows] == ["802"]
    assert {c.state: c.count for c in queue.counts}["not_started"] == 1


def test_a_row_shows_the_bloc_the_district_and_the_submitted_date(period, bloc):
    district = member(bloc, code="801", name="Huyện Sa Thầy")
    commune_bloc = BlocFactory(campaign=period.campaign, code="communes", name="Khối xã")
    commune = member(commune_bloc, CommuneFactory(code="23500", parent=district))
    department = member(BlocFactory(campaign=period.campaign, code="depts"), DepartmentFactory())
    sent = submitted(period, commune, BEFORE_DEADLINE)

    rows = rows_by_code(queue_of(period))

    assert rows["23500"].bloc == commune_bloc
    assert rows["23500"].district == district
    assert rows["801"].district == district
    assert rows[department.code].district is None
    assert rows["23500"].submitted_at == sent.submitted_at
    assert rows["801"].submitted_at is None


# --- Overdue and on time ------------------------------------------------------------------------


def test_nothing_is_overdue_before_the_deadline(period, bloc):
    member(bloc, code="801")
    SubmissionFactory(period=period, unit=member(bloc, code="802"))

    queue = queue_of(period, today=DEADLINE)

    assert not any(row.overdue for row in queue.rows)
    assert queue.overdue == 0


def test_after_the_deadline_a_unit_that_never_submitted_is_overdue(period, bloc):
    member(bloc, code="801")
    SubmissionFactory(period=period, unit=member(bloc, code="802"))
    submitted(period, member(bloc, code="803"), BEFORE_DEADLINE)
    submitted(period, member(bloc, code="804"), BEFORE_DEADLINE, status=SubmissionStatus.RETURNED)

    queue = queue_of(period, today=AFTER_DEADLINE)

    overdue = {code: row.overdue for code, row in rows_by_code(queue).items()}
    assert overdue == {"801": True, "802": True, "803": False, "804": False}
    assert queue.overdue == 2


def test_an_extension_moves_the_units_own_deadline(period, bloc):
    extended = member(bloc, code="801")
    DeadlineExtensionFactory(period=period, unit=extended, deadline=date(2020, 2, 15))
    member(bloc, code="802")

    rows = rows_by_code(queue_of(period, today=AFTER_DEADLINE))

    assert rows["801"].deadline == date(2020, 2, 15)
    assert rows["801"].extended
    assert not rows["801"].overdue
    assert rows["802"].deadline == DEADLINE
    assert rows["802"].overdue
    assert rows_by_code(queue_of(period, today=date(2020, 2, 16)))["801"].overdue


def test_a_unit_the_board_marked_as_not_reporting_is_not_overdue(period, bloc):
    SubmissionFactory(period=period, unit=member(bloc, code="801"), not_reporting=True)

    row = queue_of(period, today=AFTER_DEADLINE).rows[0]

    assert row.not_reporting
    assert not row.overdue


def test_on_time_rate_counts_first_submissions_by_each_units_own_deadline(period, bloc):
    submitted(period, member(bloc, code="801"), BEFORE_DEADLINE)
    # Late on the year's deadline, in time for its extension.
    extended = member(bloc, code="802")
    DeadlineExtensionFactory(period=period, unit=extended, deadline=date(2020, 2, 15))
    submitted(period, extended, AFTER_DEADLINE)
    late = submitted(period, member(bloc, code="803"), AFTER_DEADLINE)
    member(bloc, code="804")
    # On time first, returned, sent again late: the first submission is what counts.
    again = submitted(period, member(bloc, code="805"), DEADLINE)
    step(again, StepAction.RETURN, date(2020, 1, 20))
    step(again, StepAction.SUBMIT, AFTER_DEADLINE)
    other_bloc = BlocFactory(campaign=period.campaign, code="empty")

    queue = queue_of(period, today=AFTER_DEADLINE)

    rates = {r.bloc.code: r for r in queue.bloc_rates}
    districts = rates["districts"]
    assert (districts.on_time, districts.reported, districts.participating) == (3, 4, 5)
    # On time out of those that submitted, as the dashboard counts it.
    assert districts.rate == 75.0
    (dashboard,) = [
        b
        for b in bloc_completeness(
            campaign=period.campaign, year=period.year, scope=ProvinceFactory()
        )
        if b.bloc_id == bloc.pk
    ]
    assert dashboard.on_time_rate == districts.rate
    assert rates[other_bloc.code].rate is None
    assert rows_by_code(queue)[late.unit.code].late
    assert not rows_by_code(queue)["805"].late


@pytest.mark.parametrize(
    ("sent_at", "on_time"),
    [
        # 23:30 on the deadline in Kon Tum: still the deadline day.
        (datetime(2020, 1, 15, 23, 30, tzinfo=VN_TZ), True),
        # 00:30 the next morning in Kon Tum is still 15/01 in UTC, and late all the same.
        (datetime(2020, 1, 16, 0, 30, tzinfo=VN_TZ), False),
    ],
)
def test_the_deadline_is_read_in_vietnamese_time(period, bloc, sent_at, on_time):
    sent = SubmissionFactory(period=period, unit=member(bloc, code="801"), submitted=True)
    created = step(sent, StepAction.SUBMIT, DEADLINE)
    SubmissionStep.objects.filter(pk=created.pk).update(at=sent_at)

    queue = queue_of(period, today=AFTER_DEADLINE)

    assert queue.bloc_rates[0].on_time == int(on_time)
    assert queue.rows[0].late is not on_time


# --- Changed since it was returned --------------------------------------------------------------


def resent(period, unit, before, after):
    submission = SubmissionFactory(period=period, unit=unit, submitted=True)
    step(submission, StepAction.SUBMIT, date(2019, 12, 1), snapshot=before)
    step(submission, StepAction.RETURN, date(2019, 12, 5))
    step(submission, StepAction.SUBMIT, date(2019, 12, 9), snapshot=after)
    return submission


def test_a_report_sent_again_with_changes_after_a_return_is_flagged(period, bloc):
    old = {"fields": {"narrative": "Bản đầu"}}
    resent(period, member(bloc, code="801"), old, {"fields": {"narrative": "Bản sửa"}})
    resent(period, member(bloc, code="802"), old, old)
    submitted(period, member(bloc, code="803"), BEFORE_DEADLINE)

    queue = queue_of(period)

    changed = {code: row.changed_since_return for code, row in rows_by_code(queue).items()}
    assert changed == {"801": True, "802": False, "803": False}
    assert queue.changed == 1


def test_only_the_latest_return_counts_for_changed_since_return(period, bloc):
    unit = member(bloc, code="801")
    submission = resent(period, unit, {"fields": {"x": "1"}}, {"fields": {"x": "2"}})
    step(submission, StepAction.RETURN, date(2019, 12, 12))
    step(submission, StepAction.SUBMIT, date(2019, 12, 14), snapshot={"fields": {"x": "2"}})

    assert not queue_of(period).rows[0].changed_since_return


def test_a_returned_report_not_yet_sent_again_is_not_flagged(period, bloc):
    submission = resent(period, member(bloc, code="801"), {"a": {"k": "1"}}, {"a": {"k": "2"}})
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.RETURNED)

    assert not queue_of(period).rows[0].changed_since_return


def test_snapshot_diff_lists_changed_added_and_removed_keys_by_section():
    before = {
        "fields": {"narrative": "A", "fund_mobilised_vnd": "100"},
        "scores": {"1.1": "7 – Đạt", "1.2": "10"},
    }
    after = {
        "fields": {"narrative": "B", "fund_mobilised_vnd": "100"},
        "scores": {"1.1": "7 – Đạt", "1.3": "5"},
        "values": {"LABOUR": "5200/10000"},
    }

    assert snapshot_diff(before, after) == [
        Change("fields", "narrative", "A", "B"),
        Change("values", "LABOUR", None, "5200/10000"),
        Change("scores", "1.2", "10", None),
        Change("scores", "1.3", None, "5"),
    ]
    assert snapshot_diff(after, after) == []
    assert snapshot_diff(None, {}) == []


# --- Filters and sort ---------------------------------------------------------------------------


@pytest.fixture
def mixed(period, bloc):
    """Three districts in two blocs, one of them with a commune, in different states."""
    a = member(bloc, code="801", name="Huyện Cư")
    b = member(bloc, code="802", name="Huyện An")
    other = BlocFactory(campaign=period.campaign, code="communes", name="Khối xã", order=2)
    commune = member(other, CommuneFactory(code="23500", name="Xã Bờ Y", parent=a))
    submitted(period, b, BEFORE_DEADLINE)
    SubmissionFactory(period=period, unit=commune)
    return {"a": a, "b": b, "commune": commune, "other": other}


@pytest.mark.parametrize(
    ("filters", "codes"),
    [
        ({"state": "submitted"}, ["802"]),
        ({"state": "not_started"}, ["801"]),
        ({"bloc": "communes"}, ["23500"]),
        ({"district": "801"}, ["23500", "801"]),
        ({"flag": "overdue"}, []),
        ({"q": "bờ y"}, ["23500"]),
        ({"q": "802"}, ["802"]),
        ({"state": "submitted", "bloc": "communes"}, []),
    ],
)
def test_filters_narrow_the_rows(period, mixed, filters, codes):
    queue = queue_of(period, **filters)

    assert [row.unit.code for row in queue.rows] == codes
    assert queue.filters == filters


@pytest.mark.parametrize(
    "filters",
    [
        {"state": "deleted"},
        {"bloc": "nope"},
        {"district": "23500"},  # a commune is not a district
        {"flag": "secret"},
        {"unit__parent": "801"},
        {"status": "submitted"},
        {"q": "   "},
    ],
)
def test_unknown_filters_and_values_are_ignored(period, mixed, filters):
    queue = queue_of(period, **filters)

    assert [row.unit.code for row in queue.rows] == ["23500", "801", "802"]
    assert queue.filters == {}


def test_overdue_filter_after_the_deadline(period, mixed):
    queue = queue_of(period, today=AFTER_DEADLINE, flag="overdue")

    assert [row.unit.code for row in queue.rows] == ["23500", "801"]


@pytest.mark.parametrize(
    ("sort", "applied", "codes"),
    [
        ("", "unit", ["23500", "801", "802"]),
        ("unit", "unit", ["23500", "801", "802"]),
        ("-unit", "-unit", ["802", "801", "23500"]),
        ("name", "name", ["802", "801", "23500"]),  # An, Cư, Xã Bờ Y
        ("state", "state", ["801", "23500", "802"]),  # not started, draft, submitted
        ("-state", "-state", ["802", "23500", "801"]),
        ("bloc", "bloc", ["801", "802", "23500"]),
        # Units without a submission stay last whichever way the sort runs.
        ("submitted", "submitted", ["802", "23500", "801"]),
        ("-submitted", "-submitted", ["802", "23500", "801"]),
        ("password", "unit", ["23500", "801", "802"]),
        ("unit__name", "unit", ["23500", "801", "802"]),
        ("--unit", "unit", ["23500", "801", "802"]),
    ],
)
def test_sorting_follows_the_allow_list(period, mixed, sort, applied, codes):
    queue = queue_of(period, sort=sort)

    assert [row.unit.code for row in queue.rows] == codes
    assert queue.sort == applied


def test_the_queue_costs_the_same_queries_for_many_units(period, bloc):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            queue = queue_of(period, today=AFTER_DEADLINE)
            assert queue.rows
        return len(captured.captured_queries)

    for n in range(2):
        unit = member(bloc, code=f"90{n}")
        resent(period, unit, {"a": {"k": "1"}}, {"a": {"k": str(n)}})
    few = count_queries()
    for n in range(2, 12):
        unit = member(bloc, code=f"9{n:02d}")
        if n % 2:
            resent(period, unit, {"a": {"k": "1"}}, {"a": {"k": str(n)}})
        else:
            SubmissionFactory(period=period, unit=unit)
        DeadlineExtensionFactory(period=period, unit=unit)

    assert count_queries() == few <= 6


# --- The page and who may open it ---------------------------------------------------------------


@pytest.fixture
def page_year(period, bloc, time_machine):
    time_machine.move_to(at(AFTER_DEADLINE), tick=False)
    member(bloc, code="801", name="Huyện Sa Thầy")
    sent = submitted(period, member(bloc, code="802", name="Huyện Ia H'Drai"), BEFORE_DEADLINE)
    return {"period": period, "sent": sent}


def queue_url(period, **params):
    url = reverse("board:queue", kwargs={"period_pk": period.pk})
    return f"{url}?{urlencode(params)}" if params else url


def test_board_staff_see_the_queue_with_counts_and_rates(client, board_staff, page_year):
    client.force_login(board_staff)

    response = client.get(queue_url(page_year["period"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Huyện Sa Thầy" in html and "Huyện Ia H&#x27;Drai" in html
    assert reverse("board:review", kwargs={"pk": page_year["sent"].pk}) in html
    assert 'data-flag="overdue"' in html
    # One of two units submitted, on time: 100 % on time, as the dashboard says too.
    assert response.context["queue"].bloc_rates[0].rate == 100.0
    assert (
        'action="' + reverse("board:not-reporting", kwargs={"period_pk": page_year["period"].pk})
        in html
    )


def test_the_page_applies_filters_and_sort_from_the_url_and_ignores_the_rest(
    client, board_staff, page_year
):
    client.force_login(board_staff)

    response = client.get(
        queue_url(page_year["period"], state="submitted", sort="name", evil="1", bloc="x")
    )

    assert response.status_code == 200
    assert [r.unit.code for r in response.context["queue"].rows] == ["802"]
    assert response.context["queue"].filters == {"state": "submitted"}
    # Sort links keep the filters that apply, and only those.
    links = response.context["sort_links"]
    assert links["name"]["url"] == "?state=submitted&sort=-name"


def test_leaders_read_the_queue_without_actions(client, leader, page_year):
    client.force_login(leader)

    response = client.get(queue_url(page_year["period"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("board:not-reporting", kwargs={"period_pk": page_year["period"].pk}) not in html
    assert 'name="reason"' not in html


@pytest.mark.parametrize("persona", ["unit_officer", "admin_user"])
def test_officers_and_administrators_cannot_open_the_queue(client, request, persona, page_year):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(queue_url(page_year["period"])).status_code == 403
    assert client.get(reverse("board:home")).status_code == 403


def test_the_review_home_opens_the_current_years_queue(client, board_staff, page_year):
    client.force_login(board_staff)

    response = client.get(reverse("board:home"))

    assert response.status_code == 302
    assert response["Location"] == queue_url(page_year["period"])


def test_a_missing_year_is_a_404(client, board_staff, page_year):
    client.force_login(board_staff)

    assert client.get(reverse("board:queue", kwargs={"period_pk": 99999})).status_code == 404


def not_reporting_url(period, query=""):
    url = reverse("board:not-reporting", kwargs={"period_pk": period.pk})
    return f"{url}?{query}" if query else url


def test_board_marks_a_unit_as_not_reporting_with_a_reason(client, board_staff, page_year):
    period = page_year["period"]
    unit = rows_by_code(queue_of(period))["801"].unit
    client.force_login(board_staff)

    response = client.post(
        not_reporting_url(period, "state=not_started"),
        {"unit": unit.pk, "action": "mark", "reason": "Đơn vị sáp nhập."},
    )

    assert response.status_code == 302
    assert response["Location"] == queue_url(period, state="not_started")
    submission = Submission.objects.get(period=period, unit=unit)
    assert submission.not_reporting
    assert submission.steps.get().action == StepAction.NOT_REPORTING
    assert not rows_by_code(queue_of(period, today=AFTER_DEADLINE))["801"].overdue

    client.post(not_reporting_url(period), {"unit": unit.pk, "action": "unmark", "reason": "Nhầm"})

    submission.refresh_from_db()
    assert not submission.not_reporting
    assert submission.steps.last().action == StepAction.REPORTING


def test_marking_not_reporting_needs_a_reason(client, board_staff, page_year):
    period = page_year["period"]
    unit = rows_by_code(queue_of(period))["801"].unit
    client.force_login(board_staff)

    response = client.post(not_reporting_url(period), {"unit": unit.pk, "action": "mark"})

    assert response.status_code == 422
    assert 'id="queue-errors"' in response.content.decode()
    assert not Submission.objects.filter(unit=unit).exists()


def test_marking_a_unit_outside_the_year_is_refused(client, board_staff, page_year):
    client.force_login(board_staff)
    stranger = DistrictFactory(code="899")

    response = client.post(
        not_reporting_url(page_year["period"]),
        {"unit": stranger.pk, "action": "mark", "reason": "x"},
    )

    assert response.status_code == 422
    assert not Submission.objects.filter(unit=stranger).exists()


@pytest.mark.parametrize("persona", ["leader", "unit_officer", "admin_user"])
def test_only_board_staff_mark_units_as_not_reporting(client, request, persona, page_year):
    period = page_year["period"]
    unit = rows_by_code(queue_of(period))["801"].unit
    client.force_login(request.getfixturevalue(persona))

    response = client.post(
        not_reporting_url(period), {"unit": unit.pk, "action": "mark", "reason": "x"}
    )

    assert response.status_code == 403
    assert not Submission.objects.filter(unit=unit).exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, page_year):
    response = client.get(queue_url(page_year["period"]))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_another_board_member_sees_the_same_queue(client, page_year):
    client.force_login(UserFactory(board=True))

    assert client.get(queue_url(page_year["period"])).status_code == 200


def test_submitted_late_shows_on_the_row(period, bloc):
    submitted(period, member(bloc, code="801"), AFTER_DEADLINE + timedelta(days=1))

    assert queue_of(period, today=AFTER_DEADLINE).rows[0].late


def test_the_queue_page_costs_the_same_queries_for_many_units(
    client, board_staff, page_year, django_assert_max_num_queries
):
    period, bloc = page_year["period"], page_year["sent"].unit.blocs.get()
    client.force_login(board_staff)
    with CaptureQueriesContext(connection) as few:
        assert client.get(queue_url(period)).status_code == 200
    for n in range(10):
        district = member(bloc, code=f"95{n}")
        commune = member(bloc, CommuneFactory(code=f"2399{n}", parent=district))
        resent(period, commune, {"a": {"k": "1"}}, {"a": {"k": str(n)}})
        DeadlineExtensionFactory(period=period, unit=district)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(queue_url(period))

    assert len(response.context["queue"].rows) == 22


def test_the_review_home_without_any_year_says_so(client, board_staff):
    client.force_login(board_staff)

    response = client.get(reverse("board:home"))

    assert response.status_code == 200
    assert response.templates[0].name == "campaigns/board/queue_empty.html"
