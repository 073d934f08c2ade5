"""Value-level history: every change to a report's values, to scores and to commune statistics
is recorded with who and when, shown on the timelines and on the Board's "who changed what"."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.defaultfilters import time as time_filter
from django.urls import reverse
from django.utils import timezone, translation

from campaigns import history
from indicators.imports.apply import apply_rows
from indicators.models import CommuneStatistics, ReportedValue
from kontum_poverty.history import BASELINE
from tests.factories import (
    CommuneFactory,
    CommuneStatisticsFactory,
    CriterionScoreFactory,
    IndicatorFactory,
    ReportedValueFactory,
    SubmissionFactory,
    SubmissionStepFactory,
)
from tests.test_board_review import action_url, detail_url, score_data, sent
from tests.test_board_review import year as year  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def edit(row, by, **values):
    for name, value in values.items():
        setattr(row, name, value)
    row._history_user = by
    row.save()


def test_a_value_edited_twice_shows_both_changes_on_the_report_timeline(
    client, unit_officer, board_staff, time_machine
):
    submission = SubmissionFactory(unit=unit_officer.unit)
    indicator = IndicatorFactory(campaign=submission.period.campaign, code="LABOUR")
    value = ReportedValueFactory(
        submission=submission, indicator=indicator, numerator=5200, denominator=10000
    )
    time_machine.move_to(value.updated_at + timedelta(hours=1), tick=False)
    edit(value, unit_officer, numerator=5300)
    time_machine.move_to(value.updated_at + timedelta(hours=2), tick=False)
    edit(value, unit_officer, numerator=5450)
    client.force_login(board_staff)

    response = client.get(reverse("campaigns:submission-detail", args=[submission.pk]))

    html = response.content.decode()
    assert "5.200 → 5.300" in html and "5.300 → 5.450" in html
    entries = [e for e in response.context["timeline"] if e.step is None]
    lines = [(e.by, c.old, c.new) for e in entries for v in e.changes for c in v.changes]
    assert (unit_officer, "5.200", "5.300") in lines
    assert (unit_officer, "5.300", "5.450") in lines
    assert html.count(unit_officer.username) >= 2


def value_lines(timeline, who):
    """(old, new) of each field change by `who` the timeline lists, in order (the factory's
    rows are created by nobody)."""
    return [
        (c.old, c.new)
        for e in timeline
        if e.step is None and e.by == who
        for v in e.changes
        for c in v.changes
    ]


@pytest.fixture
def labour(unit_officer):
    submission = SubmissionFactory(unit=unit_officer.unit, submitted=True)
    indicator = IndicatorFactory(campaign=submission.period.campaign, code="LABOUR")
    return ReportedValueFactory(
        submission=submission, indicator=indicator, numerator=5200, denominator=10000
    )


def edits_apart(
    value, by, time_machine, numerators, *, after=timedelta(hours=1), every=timedelta(minutes=2)
):
    """Edit `value` to each of `numerators` in turn, the first `after` its last change, then
    one every `every`."""
    start = value.updated_at + after
    for i, numerator in enumerate(numerators):
        time_machine.move_to(start + every * i, tick=False)
        edit(value, by, numerator=numerator)


def test_a_sitting_of_saves_reads_as_one_change_from_the_first_value_to_the_last(
    client, unit_officer, board_staff, labour, time_machine
):
    edits_apart(labour, unit_officer, time_machine, [5300, 5450, 5500])
    client.force_login(board_staff)

    response = client.get(reverse("campaigns:submission-detail", args=[labour.submission.pk]))

    assert value_lines(response.context["timeline"], unit_officer) == [("5.200", "5.500")]
    [entry] = [e for e in response.context["timeline"] if e.by == unit_officer]
    assert entry.until - entry.at == timedelta(minutes=4)
    html = response.content.decode()
    with translation.override("vi"):  # the page says when the sitting ended, on the same day
        assert f"– {time_filter(timezone.localtime(entry.until), 'TIME_FORMAT')} ·" in html
    assert "5.200 → 5.500" in html and "5.450" not in html
    # Every single change stays on the Board's "who changed what".
    changes = client.get(reverse("board:history")).content.decode()
    assert all(step in changes for step in ("5.200 → 5.300", "5.300 → 5.450", "5.450 → 5.500"))


def test_a_value_changed_and_changed_back_in_one_sitting_leaves_no_entry(
    client, unit_officer, board_staff, labour, time_machine
):
    edits_apart(labour, unit_officer, time_machine, [5300, 5200])
    client.force_login(board_staff)

    response = client.get(reverse("campaigns:submission-detail", args=[labour.submission.pk]))

    assert value_lines(response.context["timeline"], unit_officer) == []


def test_saves_further_apart_or_on_either_side_of_a_step_stay_apart(
    client, unit_officer, board_staff, labour, time_machine
):
    t0 = labour.updated_at + timedelta(hours=1)
    moments = {
        5300: t0,
        5450: t0 + timedelta(minutes=11),  # 11 minutes without a save: a new sitting
        5500: t0 + timedelta(minutes=12),
        # 5600 comes a minute after 5500, but the report was submitted in between.
        5600: t0 + timedelta(minutes=14),
    }
    for numerator, at in moments.items():
        time_machine.move_to(at, tick=False)
        edit(labour, unit_officer, numerator=numerator)
        if numerator == 5500:
            time_machine.move_to(at + timedelta(minutes=1), tick=False)
            SubmissionStepFactory(submission=labour.submission, by=unit_officer)
    client.force_login(board_staff)

    response = client.get(reverse("campaigns:submission-detail", args=[labour.submission.pk]))

    assert value_lines(response.context["timeline"], unit_officer) == [
        ("5.200", "5.300"),
        ("5.300", "5.500"),
        ("5.500", "5.600"),
    ]
    kinds = [
        "step" if e.step else "changes"
        for e in response.context["timeline"]
        if e.by == unit_officer
    ]
    assert kinds == ["changes", "changes", "step", "changes"]


def test_the_review_page_does_not_grow_with_a_sittings_autosaves(
    client, unit_officer, board_staff, labour, time_machine
):
    client.force_login(board_staff)
    edits_apart(labour, unit_officer, time_machine, [5300], after=timedelta(seconds=5))
    once = client.get(detail_url(labour.submission))
    assert once.status_code == 200
    # Forty more autosaves, five seconds apart, ending on another value.
    numerators = [5301 + i for i in range(40)]
    every = timedelta(seconds=5)
    edits_apart(labour, unit_officer, time_machine, numerators, after=every, every=every)

    many = client.get(detail_url(labour.submission)).content.decode()

    assert many.count("<li") == once.content.decode().count("<li")
    assert "5.200 → 5.340" in many


def test_a_row_added_and_removed_in_one_sitting_is_left_out_and_a_removal_stays():
    from types import SimpleNamespace

    from campaigns.history import FieldChange, ValueChange, net_changes

    def change(row, action, *fields):
        return ValueChange(
            kind=history.VALUE,
            at=None,
            by=None,
            action=action,
            record=SimpleNamespace(id=row),
            changes=[FieldChange("Tử số", old, new) for old, new in fields],
        )

    net = net_changes(
        [
            change(1, "+", ("—", "5")),
            change(2, "~", ("7", "8")),
            change(1, "-"),
            change(2, "-"),
            change(3, "~", ("1", "2")),
            change(3, "~", ("2", "3")),
        ]
    )

    assert [(c.record.id, c.action, [(f.old, f.new) for f in c.changes]) for c in net] == [
        (2, "-", []),
        (3, "~", [("1", "3")]),
    ]


def test_a_save_that_changes_nothing_records_nothing(unit_officer):
    value = ReportedValueFactory(numerator=1, denominator=2)

    edit(value, unit_officer, numerator=1)

    assert value.history.count() == 1


def test_a_row_older_than_history_gets_a_baseline_so_its_first_change_reads_old_to_new(
    unit_officer,
):
    value = ReportedValueFactory(numerator=10, denominator=20)
    value.history.all().delete()  # as rows written before history existed

    edit(value, unit_officer, numerator=15)

    records = list(value.history.order_by("history_date", "history_id"))
    assert [r.history_change_reason for r in records] == [BASELINE, None]
    [change] = history.changes_of(records, kind=history.VALUE)
    assert [(c.old, c.new) for c in change.changes] == [("10", "15")]


def test_a_board_score_change_through_the_review_page_is_recorded_with_the_board_user(
    client,
    year,
    board_staff,  # noqa: F811
):
    submission = sent(year)
    client.force_login(board_staff)

    client.post(action_url("score", submission), score_data(year, submission, plain=("6", "Thiếu")))

    score = submission.scores.get(criterion=year.plain)
    record = score.history.first()
    assert record.history_user == board_staff
    assert record.board_points == Decimal("6")
    page = client.get(detail_url(submission))
    assert "Board points" in page.content.decode() or "Điểm" in page.content.decode()
    changes = [c for e in page.context["page"].timeline if e.step is None for c in e.changes]
    assert any(c.kind == history.SCORE and c.by == board_staff for c in changes)


def test_the_unit_does_not_see_board_points_in_the_value_changes_before_the_year_closes(
    client, unit_officer, board_staff
):
    submission = SubmissionFactory(unit=unit_officer.unit, submitted=True)
    score = CriterionScoreFactory(submission=submission, self_points=5)
    edit(score, board_staff, board_points=Decimal("4"), board_justification="Thiếu minh chứng")
    client.force_login(unit_officer)

    response = client.get(reverse("campaigns:submission-detail", args=[submission.pk]))

    assert "Thiếu minh chứng" not in response.content.decode()


def import_rows(year, communes, by, poor):
    columns = ["total_households", "poor_households"]
    rows = [[c.pk, i + 2, 100, poor] for i, c in enumerate(communes)]
    from indicators.imports.apply import fingerprint, stored_rows

    return apply_rows(
        year=year,
        columns=columns,
        rows=rows,
        expected=fingerprint(stored_rows(year=year)),
        by=by,
    )


def test_a_commune_statistics_import_records_history_with_the_importing_user(admin_user):
    communes = CommuneFactory.create_batch(3)
    existing = CommuneStatisticsFactory(
        commune=communes[0], year=2019, total_households=90, poor_households=None
    )
    existing.history.all().delete()  # imported before history existed

    import_rows(2019, communes, admin_user, poor=7)
    import_rows(2019, communes[:1], admin_user, poor=9)

    records = CommuneStatistics.history.filter(year=2019).exclude(history_change_reason=BASELINE)
    assert records.count() == 4
    assert set(records.values_list("history_user", flat=True)) == {admin_user.pk}
    assert sorted(records.values_list("history_type", flat=True)) == ["+", "+", "~", "~"]
    keys = history.change_keys(filters=history.ChangeFilters(unit=communes[0]))
    changes = history.changes_for_keys(list(keys))
    assert [[(c.old, c.new) for c in v.changes if c.new == "9"] for v in changes][0] == [("7", "9")]
    assert any(("90", "100") in [(c.old, c.new) for c in v.changes] for v in changes)


# --- "Ai đã sửa gì" ------------------------------------------------------------------------------


@pytest.fixture
def changes(unit_officer, outsider):
    mine = ReportedValueFactory(
        submission__unit=unit_officer.unit,
        submission__period__year=2018,
        numerator=1,
        denominator=9,
    )
    theirs = ReportedValueFactory(
        submission__unit=outsider.unit,
        submission__period__year=2019,
        numerator=1,
        denominator=9,
    )
    edit(mine, unit_officer, numerator=2)
    edit(theirs, outsider, numerator=3)
    return mine, theirs


def test_the_board_page_lists_changes_newest_first(client, board_staff, changes):
    client.force_login(board_staff)

    response = client.get(reverse("board:history"))

    assert response.status_code == 200
    listed = response.context["changes"]
    assert [c.at for c in listed] == sorted((c.at for c in listed), reverse=True)
    assert "1 → 3" in response.content.decode()


def test_the_board_page_filters_by_unit_year_and_person(client, leader, changes, outsider):
    mine, theirs = changes
    client.force_login(leader)

    by_unit = client.get(reverse("board:history"), {"unit": outsider.unit.pk})
    by_person = client.get(reverse("board:history"), {"person": outsider.pk})
    by_year = client.get(reverse("board:history"), {"year": theirs.submission.period.year})

    assert {(c.kind, c.record.id) for c in by_unit.context["changes"]} == {
        (history.VALUE, theirs.pk)
    }
    assert {c.by for c in by_person.context["changes"]} == {outsider}
    assert {(c.kind, c.record.id) for c in by_year.context["changes"]} == {
        (history.VALUE, theirs.pk)
    }


def test_officers_cannot_open_the_board_history_page(client, unit_officer):
    client.force_login(unit_officer)

    assert client.get(reverse("board:history")).status_code == 403
    assert client.post(reverse("board:history")).status_code in (403, 405)


def test_the_board_history_page_costs_the_same_queries_for_more_changes(
    client, board_staff, unit_officer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        edit(ReportedValueFactory(numerator=1, denominator=9), unit_officer, numerator=2)
    client.force_login(board_staff)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("board:history"))
    for _ in range(10):
        edit(ReportedValueFactory(numerator=1, denominator=9), unit_officer, numerator=2)

    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("board:history"))

    assert len(response.context["changes"]) >= 12
    assert ReportedValue.history.count() >= 24


def test_the_orm_import_path_records_history_with_the_bulk_helpers(admin_user):
    """The path SQLite (the demo) takes: bulk_create_with_history / bulk_update_with_history."""
    from django.utils import timezone

    from indicators.imports import apply

    communes = CommuneFactory.create_batch(2)
    old = CommuneStatisticsFactory(
        commune=communes[0], year=2019, total_households=90, poor_households=None
    )
    old.history.all().delete()

    apply._write_with_history(
        year=2019,
        columns=["total_households", "poor_households"],
        rows=[[c.pk, i + 2, 100, 5] for i, c in enumerate(communes)],
        now=timezone.now(),
        by=admin_user,
    )

    assert CommuneStatistics.objects.get(commune=communes[0], year=2019).total_households == 100
    changes = history.changes_for_keys(
        list(history.change_keys(filters=history.ChangeFilters(year=2019)))
    )
    assert {c.by for c in changes} == {admin_user}
    assert sorted(c.action for c in changes) == ["+", "~"]
    changed = next(c for c in changes if c.action == "~")
    assert ("90", "100") in [(f.old, f.new) for f in changed.changes]
