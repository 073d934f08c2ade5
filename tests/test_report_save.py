"""What a report save writes: only what changed, with history only for changed values, in a
fixed number of statements, without touching the session, and without losing concurrent writes."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns import history
from campaigns import services as campaign_services
from campaigns.models import CriterionScore, Submission
from indicators.models import ModelResult, PovertyModel, ReportedValue
from indicators.submissions import services
from kontum_poverty.history import BASELINE
from tests.factories import (
    BlocMembershipFactory,
    CriterionFactory,
    DistrictFactory,
    IndicatorFactory,
    UserFactory,
)
from tests.report_setup import IN_2019, draft, post_data, year_build
from tests.sessions import other_session, wait_until_waiting_on_a_lock

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


def _url(year):
    return reverse("report:form", kwargs={"period_pk": year.period.pk})


def _models(year, count, name="Mô hình"):
    return [
        PovertyModel.objects.create(
            unit=year.unit, name=f"{name} {n}", start_year=2018, participating_households=20
        )
        for n in range(count)
    ]


def _model_fields(models, income=5_000_000):
    fields = {}
    for model in models:
        key = f"model-{model.pk}"
        fields |= {
            f"{key}-participating": "20",
            f"{key}-income": f"{income}",
            f"{key}-escaped": "2",
            f"{key}-explanation": "",
        }
    return fields


def _records():
    """Every history record of the report's recorded tables, as (table, row id, kind)."""
    return {
        (model.__name__, record.id, record.history_type, record.history_change_reason)
        for model in (Submission, CriterionScore, ReportedValue, ModelResult)
        for record in model.history.all()
    }


def _save(client, year, **fields):
    submission = Submission.objects.get(unit=year.unit, period=year.period)
    response = client.post(_url(year), post_data(year, submission, **fields))
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


@pytest.fixture
def saved(client, year):
    """The officer has saved the whole report once, with three models."""
    models = _models(year, 3)
    client.force_login(year.officer)
    unsaved = client.get(_url(year)).context["submission"]
    response = client.post(_url(year), post_data(year, unsaved, **_model_fields(models)))
    assert response.status_code == 302
    return models


def test_saving_the_same_report_again_records_no_change(client, year, saved):
    before = _records()
    version = Submission.objects.get(unit=year.unit).version

    _save(client, year, **_model_fields(saved))

    assert _records() == before
    assert Submission.objects.get(unit=year.unit).version == version + 1


def test_a_save_writes_only_the_values_that_changed(client, year, saved, time_machine):
    stamps = dict(ReportedValue.objects.values_list("indicator__code", "updated_at"))
    scores = {s.criterion_id: s.self_points for s in CriterionScore.objects.all()}
    before = _records()
    time_machine.shift(timedelta(minutes=5))

    _save(
        client,
        year,
        **_model_fields(saved[:1], income=6_000_000),
        **_model_fields(saved[1:]),
        **{"value-EDU-numerator": "850"},
    )

    new = _records() - before
    assert {(table, kind) for table, _id, kind, _reason in new} == {
        ("ReportedValue", "~"),
        ("ModelResult", "~"),
    }
    edu = ReportedValue.objects.get(indicator=year.edu)
    assert [(r.id, r.history_user) for r in edu.history.filter(numerator=850)] == [
        (edu.pk, year.officer)
    ]
    changed = ModelResult.objects.get(model=saved[0])
    assert sorted((table, row) for table, row, _k, _r in new) == [
        ("ModelResult", changed.pk),
        ("ReportedValue", edu.pk),
    ]
    assert changed.average_income_vnd == 6_000_000
    # The untouched value keeps its last change time; the changed one moves.
    after = dict(ReportedValue.objects.values_list("indicator__code", "updated_at"))
    assert after["LABOUR"] == stamps["LABOUR"]
    assert after["EDU"] == stamps["EDU"] + timedelta(minutes=5)
    assert {s.criterion_id: s.self_points for s in CriterionScore.objects.all()} == scores


def test_cleared_figures_and_changed_points_and_texts_are_stored_as_typed(client, year, saved):
    _save(
        client,
        year,
        **_model_fields(saved),
        **{
            "value-EDU-numerator": "",
            "value-EDU-comment": "Số liệu 'tạm tính'; chờ xã rà soát",
            f"score-{year.plain.pk}-points": "6,5",
        },
    )

    edu = ReportedValue.objects.get(indicator=year.edu)
    assert (edu.numerator, edu.denominator) == (None, 1_000)
    assert edu.comment == "Số liệu 'tạm tính'; chờ xã rà soát"
    assert str(CriterionScore.objects.get(criterion=year.plain).self_points) == "6.50"


def test_the_first_change_of_a_value_written_without_history_reads_old_to_new(client, year, saved):
    edu = ReportedValue.objects.get(indicator=year.edu)
    edu.history.all().delete()  # as a row written by a bulk load, before history existed

    _save(client, year, **_model_fields(saved), **{"value-EDU-numerator": "900"})

    records = list(edu.history.order_by("history_date", "history_id"))
    assert [(r.history_change_reason, r.history_user) for r in records] == [
        (BASELINE, None),
        (None, year.officer),
    ]
    [change] = history.changes_of(records, kind=history.VALUE)
    assert [(c.old, c.new) for c in change.changes] == [("800", "900")]


def test_a_new_score_and_a_new_model_result_are_recorded_as_created(client, year, saved):
    extra = CriterionFactory(
        bloc=year.plain.bloc, parent=year.parent, code="1.3", max_points=5, order=3
    )
    [late] = _models(year, 1, name="Mô hình mới")
    before = _records()

    _save(
        client,
        year,
        **_model_fields([*saved, late]),
        **{f"score-{extra.pk}-points": "4", f"score-{extra.pk}-justification": "Đủ"},
    )

    new = _records() - before
    score = CriterionScore.objects.get(criterion=extra)
    result = ModelResult.objects.get(model=late)
    assert (score.self_points, result.average_income_vnd) == (4, 5_000_000)
    assert {(table, row, kind) for table, row, kind, _r in new} == {
        ("CriterionScore", score.pk, "+"),
        ("ModelResult", result.pk, "+"),
    }


def test_removed_support_and_communication_rows_go_and_unchanged_ones_stay(client, year, saved):
    item = Submission.objects.get(unit=year.unit).communication.get()

    _save(client, year, **_model_fields(saved))
    assert Submission.objects.get(unit=year.unit).communication.get().pk == item.pk

    _save(
        client,
        year,
        **_model_fields(saved),
        **{"comm-0-title": "", "comm-0-url": "", "comm-0-count": ""},
    )
    assert not Submission.objects.get(unit=year.unit).communication.exists()


def test_a_save_does_not_write_the_session_and_its_page_says_it_went_through_once(
    client, year, saved
):
    with CaptureQueriesContext(connection) as queries:
        _save(client, year, **_model_fields(saved))

    assert not [q for q in queries if "django_session" in q["sql"]][1:]  # only the read
    first = client.get(_url(year)).content.decode()
    again = client.get(_url(year)).content.decode()
    assert "data-saved" in first
    assert "data-saved" not in again


def test_a_save_costs_the_same_statements_whatever_the_report_holds(client, year, saved):
    def cost(**fields):
        with CaptureQueriesContext(connection) as queries:
            _save(client, year, **fields)
        return len(queries)

    small = cost(**_model_fields(saved, income=7_000_000), **{"value-EDU-numerator": "801"})
    more = _models(year, 5, name="Mô hình mới")
    for n in range(4):
        CriterionFactory(
            bloc=year.plain.bloc, parent=year.parent, code=f"1.{n + 3}", max_points=5, order=n + 3
        )
    IndicatorFactory(campaign=year.period.campaign, code="HEALTH", measure="rate", order=8)
    cost(**_model_fields([*saved, *more]))  # the new rows are created once
    large = cost(
        **_model_fields([*saved, *more], income=8_000_000), **{"value-EDU-numerator": "802"}
    )

    assert large == small
    assert small <= 9


@pytest.mark.django_db(transaction=True)
def test_officers_saving_at_the_same_moment_lose_no_write(time_machine):
    time_machine.move_to(IN_2019, tick=False)
    first = DistrictFactory(code="600")
    years = [year_build(UserFactory(username="officer-0", unit=first))]
    for n in range(1, 4):
        district = DistrictFactory(code=f"6{n}0", parent=first.parent)
        years.append(_same_year(years[0], UserFactory(username=f"officer-{n}", unit=district)))
    barrier = threading.Barrier(len(years) * 2)
    outcomes: list[tuple[int, int, str]] = []

    def tab(index: int, numerator: int) -> None:
        year = years[index]
        try:
            submission = campaign_services.submission_get_or_create_draft(
                period=year.period, unit=year.unit
            )
            barrier.wait()
            services.report_save(
                submission=submission,
                by=year.officer,
                expected_version=submission.version,
                draft=draft(year, narrative=f"{index}-{numerator}"),
                values={year.edu.pk: services.ValueInput(numerator=numerator, denominator=1000)},
                results={},
            )
            outcomes.append((index, numerator, "ok"))
        except ValidationError as exc:
            outcomes.append((index, numerator, exc.code or ""))
        finally:
            connection.close()

    # Two tabs per unit, all at once: each unit keeps exactly one of its two saves, whole.
    threads = [
        threading.Thread(target=tab, args=(index, numerator))
        for index in range(len(years))
        for numerator in (100 + index, 200 + index)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == len(threads)
    for index, year in enumerate(years):
        mine = sorted(code for i, _n, code in outcomes if i == index)
        assert mine == ["ok", "stale"]
        [(kept, _)] = [(n, c) for i, n, c in outcomes if i == index and c == "ok"]
        submission = Submission.objects.get(unit=year.unit, period=year.period)
        assert submission.narrative == f"{index}-{kept}"
        assert submission.version == 2
        assert [v.numerator for v in submission.values.filter(indicator=year.edu)] == [kept]
        assert (
            ReportedValue.history.filter(submission_id=submission.pk, numerator=kept).count() == 1
        )


@pytest.mark.django_db(transaction=True)
def test_a_save_that_waited_for_the_lock_compares_with_what_its_holder_committed(time_machine):
    time_machine.move_to(IN_2019, tick=False)
    year = year_build(UserFactory(username="officer-0", unit=DistrictFactory(code="600")))
    submission = campaign_services.submission_get_or_create_draft(
        period=year.period, unit=year.unit
    )

    def save(numerator: int, version: int) -> None:
        services.report_save(
            submission=submission,
            by=year.officer,
            expected_version=version,
            draft=draft(year, narrative="Báo cáo"),
            values={year.edu.pk: services.ValueInput(numerator=numerator, denominator=1000)},
            results={},
        )

    save(100, submission.version)
    version = Submission.objects.get(pk=submission.pk).version
    # Another writer holds the report's lock and changes a figure without a new version (as a
    # script or the admin may).
    holder = other_session()
    with holder.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM campaigns_submission WHERE id = %s FOR UPDATE", [submission.pk]
        )
        cursor.execute(
            "UPDATE indicators_reportedvalue SET numerator = 200 WHERE submission_id = %s",
            [submission.pk],
        )
    failed: list[BaseException] = []

    def officer_saves_100_again() -> None:
        try:
            save(100, version)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            failed.append(exc)
        finally:
            connection.close()

    officer = threading.Thread(target=officer_saves_100_again)
    try:
        officer.start()
        wait_until_waiting_on_a_lock(why=f"(the officer's save: {failed})")
        holder.commit()
    finally:
        holder.close()
    officer.join(timeout=30)

    # The officer's save read the figure after the holder's commit (200), so it wrote its own.
    assert not failed, failed
    value = ReportedValue.objects.get(submission=submission, indicator=year.edu)
    assert value.numerator == 100
    assert list(
        ReportedValue.history.filter(id=value.pk)
        .order_by("history_date")
        .values_list("numerator", flat=True)
    )[-1:] == [100]


def _same_year(first, officer):
    """Another district of the same year, bloc and rubric."""
    BlocMembershipFactory(bloc=first.plain.bloc, unit=officer.unit)
    return type(first)(
        officer=officer,
        period=first.period,
        parent=first.parent,
        plain=first.plain,
        evidenced=first.evidenced,
        labour=first.labour,
        edu=first.edu,
    )


def test_a_form_posted_without_its_row_count_keeps_every_communication_row_it_sent(
    client, year, saved
):
    rows = {
        f"comm-{n}-{part}": value
        for n in range(3)
        for part, value in (("kind", "article"), ("title", f"Bài {n}"), ("url", ""), ("count", "1"))
    }
    data = post_data(year, Submission.objects.get(unit=year.unit), **_model_fields(saved), **rows)
    del data["comm-rows"]

    assert client.post(_url(year), data).status_code == 302

    titles = Submission.objects.get(unit=year.unit).communication.values_list("title", flat=True)
    assert sorted(titles) == ["Bài 0", "Bài 1", "Bài 2"]


def test_a_refused_save_leaves_no_error_on_the_next_pages_fields(client, year, saved):
    submission = Submission.objects.get(unit=year.unit)
    refused = client.post(
        _url(year),
        post_data(
            year,
            submission,
            **_model_fields(saved),
            **{"value-LABOUR-numerator": "12.000", "comm-0-url": "không phải địa chỉ"},
        ),
    )
    assert refused.status_code == 422
    assert refused.context["form"]["value-LABOUR-numerator"].errors
    assert refused.context["form"]["comm-0-url"].errors

    page = client.get(_url(year)).content.decode()

    # A save's form shares the fields every form is copied from: the error state it met must
    # not reach the next page, of this officer or any other.
    assert "is-invalid" not in page
    assert 'aria-invalid="true"' not in page
