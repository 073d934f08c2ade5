"""Soft warnings: odd figures next to last year's ask for an explanation instead of blocking."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaigns import selectors as campaign_selectors
from campaigns import services as campaign_services
from campaigns.models import CriterionScore, Evidence, Submission
from indicators.models import ModelResult, PovertyModel, ReportedValue
from indicators.submissions import services
from tests.factories import (
    ModelResultFactory,
    PeriodFactory,
    ReportedValueFactory,
    SubmissionFactory,
)
from tests.report_setup import IN_2019, complete_draft, post_data, year_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    y = year_build(unit_officer)
    last = SubmissionFactory(
        unit=unit_officer.unit,
        period=PeriodFactory(campaign=y.period.campaign, year=2018),
        accepted=True,
    )
    ReportedValueFactory(submission=last, indicator=y.labour, numerator=5_000, denominator=10_000)
    ReportedValueFactory(submission=last, indicator=y.edu, numerator=790, denominator=1_000)
    return y


def _url(year):
    return reverse("report:form", kwargs={"period_pk": year.period.pk})


def test_a_value_that_moved_by_more_than_half_warns_next_to_its_field(client, year):
    submission = complete_draft(year)
    client.force_login(year.officer)

    client.post(_url(year), post_data(year, submission, **{"value-LABOUR-numerator": "2.000"}))
    page = client.get(_url(year)).content.decode()

    value = ReportedValue.objects.get(indicator=year.labour, submission=submission)
    assert value.numerator == 2_000  # a warning never blocks saving
    assert [w.key for w in services.report_warnings(submission=submission)] == ["value-LABOUR"]
    labour = page.index('id="value-LABOUR"')
    assert labour < page.index('data-warning="value-LABOUR"') < page.index('id="value-EDU"')
    assert 'name="value-LABOUR-explanation"' in page
    assert 'name="value-EDU-explanation"' not in page


def test_a_small_change_raises_no_warning(year):
    submission = complete_draft(year)

    assert services.report_warnings(submission=submission) == []


def test_last_year_counts_only_when_the_board_accepted_it(year):
    ReportedValue.objects.filter(submission__period__year=2018, indicator=year.labour).update(
        numerator=100
    )
    submission = complete_draft(year)
    assert [w.key for w in services.report_warnings(submission=submission)] == ["value-LABOUR"]

    Submission.objects.filter(period__year=2018).update(status="submitted")

    assert services.report_warnings(submission=submission) == []


def test_an_unexplained_warning_blocks_submitting_and_an_explanation_unblocks_it(client, year):
    submission = complete_draft(year)
    client.force_login(year.officer)
    client.post(_url(year), post_data(year, submission, **{"value-LABOUR-numerator": "2.000"}))
    submission.refresh_from_db()

    with pytest.raises(ValidationError) as excinfo:
        campaign_services.submission_submit(
            submission=submission,
            by=year.officer,
            expected_version=submission.version,
            extra_checklist=services.report_checklist(submission=submission),
            extra_snapshot=services.report_snapshot(submission=submission),
        )
    assert excinfo.value.code == "unexplained_warnings"

    client.post(
        _url(year),
        post_data(
            year,
            submission,
            action="submit",
            **{
                "value-LABOUR-numerator": "2.000",
                "value-LABOUR-explanation": "Năm nay thống kê lại theo tiêu chí mới.",
            },
        ),
    )
    submission.refresh_from_db()
    assert submission.status == "submitted"


def test_a_model_whose_income_fell_asks_for_an_explanation(client, year):
    model = PovertyModel.objects.create(
        unit=year.unit, name="Nuôi bò", start_year=2018, participating_households=40
    )
    ModelResultFactory(model=model, year=2018, average_income_vnd=30_000_000, escaped_households=4)
    submission = complete_draft(year)
    client.force_login(year.officer)
    key = f"model-{model.pk}"
    fields = {f"{key}-participating": "40", f"{key}-escaped": "5", f"{key}-income": "25.000.000"}

    client.post(_url(year), post_data(year, submission, **fields))
    submission.refresh_from_db()

    warnings = services.report_warnings(submission=submission)
    assert [(w.key, w.explained) for w in warnings] == [(key, False)]
    page = client.get(_url(year)).content.decode()
    assert f'data-warning="{key}"' in page

    client.post(
        _url(year),
        post_data(year, submission, **fields, **{f"{key}-explanation": "Hạn hán kéo dài."}),
    )

    assert ModelResult.objects.get(model=model, year=2019).comment == "Hạn hán kéo dài."
    assert [w.explained for w in services.report_warnings(submission=submission)] == [True]


def _page_sees(client, year):
    response = client.get(_url(year))
    assert response.status_code == 200
    checklist = [(item.key, item.done) for item in response.context["checklist"]]
    warnings = sorted((w.key, w.explained) for w in response.context["warnings"].values())
    return checklist, warnings


def _database_says(year):
    submission = Submission.objects.get(period=year.period, unit=year.unit)
    checklist = [
        *campaign_selectors.submission_checklist(submission=submission),
        *services.report_checklist(submission=submission),
    ]
    warnings = services.report_warnings(submission=submission)
    return (
        [(item.key, item.done) for item in checklist],
        sorted((w.key, w.explained) for w in warnings),
    )


def test_the_form_pages_checklist_and_warnings_are_what_the_database_says(client, year):
    """The page works them out from the rows it read for the form; they must not drift from the
    ones read afresh, which the submit checks."""
    client.force_login(year.officer)
    checklist, warnings = _page_sees(client, year)  # not saved yet
    assert dict(checklist) == {
        "narrative": False,
        "fund_mobilised_vnd": False,
        "scores": False,
        "evidence": False,
        "values": False,
        "warnings": True,
    }
    assert warnings == []

    submission = complete_draft(year)
    values = ReportedValue.objects.filter(submission=submission)
    steps = [
        ("complete", lambda: None, {}),
        (
            "points cleared",
            lambda: CriterionScore.objects.filter(
                submission=submission, criterion=year.plain
            ).update(self_points=None),
            {"scores": False},
        ),
        (
            "evidence deleted",
            lambda: Evidence.objects.filter(submission=submission).delete(),
            {"scores": False, "evidence": False},
        ),
        (
            "LABOUR moved",
            lambda: values.filter(indicator=year.labour).update(numerator=2_000),
            {"scores": False, "evidence": False, "warnings": False},
        ),
        (
            "explained",
            lambda: values.filter(indicator=year.labour).update(
                warning_explanation="Thống kê lại."
            ),
            {"scores": False, "evidence": False},
        ),
        (
            "EDU half reported",
            lambda: values.filter(indicator=year.edu).update(numerator=None),
            {"scores": False, "evidence": False, "values": False},
        ),
    ]
    for name, change, missing in steps:
        change()
        seen = _page_sees(client, year)
        assert seen == _database_says(year), name
        assert [key for key, done in seen[0] if not done] == list(missing), name
    assert seen[1] == [("value-LABOUR", True)]
