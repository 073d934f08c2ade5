"""The report form: drafts, hard errors next to fields, conflicts, deadlines, forged fields."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from campaigns import services as campaign_services
from campaigns.models import CriterionScore, Submission, SubmissionStatus
from indicators.models import ModelResult, PovertyModel, ReportedValue
from tests.factories import (
    CommuneFactory,
    DeadlineExtensionFactory,
    DepartmentFactory,
    SponsorshipFactory,
    SubmissionStepFactory,
    UserFactory,
)
from tests.report_setup import IN_2019, complete_draft, day, post_data, year_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


def _url(year):
    return reverse("report:form", kwargs={"period_pk": year.period.pk})


def _open(client, year):
    """Open the form and start the draft, as the officer's first save does."""
    client.force_login(year.officer)
    assert client.get(_url(year)).status_code == 200
    return campaign_services.submission_get_or_create_draft(period=year.period, unit=year.unit)


def _codes(response, field):
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


def test_opening_the_form_creates_nothing_and_the_first_save_starts_one_draft(client, year):
    client.force_login(year.officer)

    first = client.get(_url(year))
    client.get(_url(year))

    assert first.status_code == 200
    assert not Submission.objects.exists()
    unsaved = first.context["submission"]

    saved = client.post(_url(year), post_data(year, unsaved))

    assert saved.status_code == 302
    submission = Submission.objects.get(unit=year.unit, period=year.period)
    assert submission.status == SubmissionStatus.DRAFT
    assert not submission.steps.exists()  # a draft has no step


def test_saving_a_draft_stores_every_part_and_moves_the_version(client, year):
    submission = _open(client, year)

    response = client.post(_url(year), post_data(year, submission))

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.version == 2
    assert submission.updated_by == year.officer
    assert submission.fund_mobilised_vnd == 250_000_000
    assert submission.narrative.startswith("Năm 2019")
    labour = ReportedValue.objects.get(submission=submission, indicator=year.labour)
    assert (labour.numerator, labour.denominator) == (5_200, 10_000)
    score = CriterionScore.objects.get(submission=submission, criterion=year.evidenced)
    assert str(score.self_points) == "10.50"
    assert score.max_points == year.evidenced.max_points
    item = submission.communication.get()
    assert (item.title, item.count, item.url) == (
        "Chung tay vì người nghèo",
        3,
        "https://baokontum.com.vn/bai-viet",
    )


def test_saved_figures_come_back_the_vietnamese_way(client, year):
    submission = _open(client, year)
    client.post(_url(year), post_data(year, submission))

    page = client.get(_url(year)).content.decode()

    assert 'value="250.000.000"' in page
    assert 'value="10,5"' in page


@pytest.mark.parametrize(
    ("field", "typed", "code"),
    [
        ("value-LABOUR-denominator", "-5", "negative"),
        ("fund_mobilised_vnd", "1.23", "malformed_number"),
        ("fund_mobilised_vnd", "1,234.5", "malformed_number"),
        ("value-EDU-numerator", "12a", "malformed_number"),
        ("value-LABOUR-numerator", "20.000", "share_above_100"),
        ("value-LABOUR-denominator", "0", "total_zero"),
        ("score-{plain}-points", "8,5", "too_large"),
    ],
)
def test_hard_errors_block_saving_and_keep_what_was_typed(client, year, field, typed, code):
    submission = _open(client, year)
    field = field.format(plain=year.plain.pk)

    response = client.post(
        _url(year), post_data(year, submission, **{field: typed, "narrative": "Đã gõ dở"})
    )

    assert response.status_code == 422
    assert _codes(response, field) == [code]
    page = response.content.decode()
    assert f'value="{typed}"' in page
    assert "Đã gõ dở" in page
    submission.refresh_from_db()
    assert submission.version == 1
    assert submission.narrative == ""
    # The forms after it start clean: the error stayed with the form that had it.
    fresh = client.get(_url(year)).content.decode()
    assert "is-invalid" not in fresh
    assert "aria-invalid" not in fresh


def test_escaped_households_above_participating_are_refused(client, year):
    model = PovertyModel.objects.create(
        unit=year.unit, name="Nuôi bò", start_year=2018, participating_households=40
    )
    submission = _open(client, year)
    key = f"model-{model.pk}"

    response = client.post(
        _url(year),
        post_data(
            year,
            submission,
            **{f"{key}-participating": "40", f"{key}-escaped": "41", f"{key}-income": ""},
        ),
    )

    assert response.status_code == 422
    assert _codes(response, f"{key}-escaped") == ["escaped_above_participating"]
    assert not ModelResult.objects.exists()


def test_a_model_is_added_with_its_first_results(client, year):
    submission = _open(client, year)

    client.post(
        _url(year),
        post_data(
            year,
            submission,
            **{"newmodel-name": "Trồng sâm dây", "newmodel-participating": "25"},
        ),
    )

    model = PovertyModel.objects.get(unit=year.unit, name="Trồng sâm dây")
    assert model.start_year == 2019
    result = ModelResult.objects.get(model=model, year=2019)
    assert (result.participating_households, result.submission_id) == (25, submission.pk)


def test_model_results_are_saved_for_the_year(client, year):
    model = PovertyModel.objects.create(
        unit=year.unit, name="Nuôi bò", start_year=2018, participating_households=40
    )
    submission = _open(client, year)
    key = f"model-{model.pk}"

    client.post(
        _url(year),
        post_data(
            year,
            submission,
            **{
                f"{key}-participating": "40",
                f"{key}-escaped": "6",
                f"{key}-income": "32.500.000",
            },
        ),
    )

    result = ModelResult.objects.get(model=model, year=2019)
    assert (result.escaped_households, result.average_income_vnd) == (6, 32_500_000)


def test_a_later_save_on_an_older_version_is_refused_naming_who_changed_it(client, year):
    colleague = UserFactory(username="officer-colleague", unit=year.unit, first_name="Lan")
    submission = _open(client, year)
    client.force_login(colleague)
    client.post(_url(year), post_data(year, submission, narrative="Bản của chị Lan"))

    client.force_login(year.officer)
    response = client.post(_url(year), post_data(year, submission, narrative="Bản của tôi"))

    assert response.status_code == 409
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == ["stale"]
    page = response.content.decode()
    assert "Lan" in page
    assert "Bản của tôi" in page
    submission.refresh_from_db()
    assert submission.narrative == "Bản của chị Lan"
    # The re-shown form carries the current version: saving again is a knowing overwrite.
    assert response.context["form"]["version"].value() == "2"


def test_saving_after_the_deadline_is_refused_and_keeps_the_input(client, year, time_machine):
    submission = _open(client, year)
    time_machine.move_to(day(2020, 1, 16), tick=False)
    client.force_login(year.officer)  # the session of June has long expired

    response = client.post(_url(year), post_data(year, submission, narrative="Viết muộn"))

    assert response.status_code == 422
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == [
        "period_closed"
    ]
    assert "Viết muộn" in response.content.decode()
    submission.refresh_from_db()
    assert submission.narrative == ""


def test_the_units_extension_keeps_the_year_open(client, year, time_machine):
    submission = _open(client, year)
    DeadlineExtensionFactory(period=year.period, unit=year.unit, deadline=date(2020, 2, 1))
    time_machine.move_to(day(2020, 1, 20), tick=False)
    client.force_login(year.officer)

    response = client.post(_url(year), post_data(year, submission))

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.version == 2


def test_fields_added_by_hand_are_ignored(client, year, outsider):
    submission = _open(client, year)

    client.post(
        _url(year),
        post_data(
            year,
            submission,
            unit=str(outsider.unit.pk),
            status="accepted",
            classification="excellent",
            submitted_at="2019-01-01",
            **{f"score-{year.plain.pk}-board_points": "8", "board_points": "8"},
        ),
    )

    submission.refresh_from_db()
    assert submission.unit == year.unit
    assert submission.status == SubmissionStatus.DRAFT
    assert submission.classification == ""
    assert not CriterionScore.objects.filter(board_points__isnull=False).exists()


def test_a_criterion_of_another_bloc_is_not_scored(client, year):
    from tests.factories import CriterionFactory

    foreign = CriterionFactory(max_points=5)
    submission = _open(client, year)

    client.post(_url(year), post_data(year, submission, **{f"score-{foreign.pk}-points": "5"}))

    assert not CriterionScore.objects.filter(criterion=foreign).exists()


@pytest.mark.parametrize("persona", ["board_staff", "leader", "admin_user"])
def test_only_officers_have_a_report_form(client, year, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(_url(year)).status_code == 404


def test_a_submitted_report_opens_read_only(client, year):
    submission = complete_draft(year)
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.SUBMITTED, submitted_at=IN_2019
    )
    client.force_login(year.officer)

    response = client.get(_url(year))

    assert response.status_code == 302
    assert response.url == reverse("campaigns:submission-detail", kwargs={"pk": submission.pk})


def test_the_boards_comments_sit_next_to_the_fields_of_a_returned_report(client, year):
    submission = complete_draft(year)
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.RETURNED, submitted_at=IN_2019
    )
    SubmissionStepFactory(
        submission=submission,
        from_status=SubmissionStatus.SUBMITTED,
        to_status=SubmissionStatus.RETURNED,
        by=UserFactory(board=True),
        comment="Bổ sung minh chứng.",
        field_comments={
            "fund_mobilised_vnd": "Thiếu biên lai Quỹ.",
            "LABOUR": "Số lao động chưa khớp niên giám.",
            "1.2": "Quyết định chưa có dấu.",
        },
    )
    client.force_login(year.officer)

    page = client.get(_url(year)).content.decode()

    assert "Bổ sung minh chứng." in page
    fund = page.index('id="sec-fund"')
    assert fund < page.index("Thiếu biên lai Quỹ.") < page.index('name="fund_mobilised_vnd"')
    labour = page.index('id="value-LABOUR"')
    assert labour < page.index("Số lao động chưa khớp niên giám.") < page.index('id="value-EDU"')
    assert page.index('id="criterion-1.2"') < page.index("Quyết định chưa có dấu.")


def test_the_form_page_runs_as_many_queries_however_long_the_report(client, year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CriterionFactory

    PovertyModel.objects.create(
        unit=year.unit, name="Nuôi bò", start_year=2018, participating_households=9
    )
    complete_draft(year)
    client.force_login(year.officer)
    client.get(_url(year))
    with CaptureQueriesContext(connection) as short:
        client.get(_url(year))
    for number in range(5):
        PovertyModel.objects.create(
            unit=year.unit, name=f"Mô hình {number}", start_year=2018, participating_households=9
        )
        CriterionFactory(bloc=year.plain.bloc, parent=year.parent, code=f"1.{number + 3}")
    client.get(_url(year))  # the form's make-up is read again once, then kept
    with CaptureQueriesContext(connection) as long:
        response = client.get(_url(year))

    assert response.status_code == 200
    assert "Mô hình 4" in response.content.decode()
    # One of them is the two-factor check (is this session verified, or is the officer enrolled),
    # one counts the navbar's unread notices; the form's make-up is kept (its version read
    # with the report) and the checklist and warnings are worked out from the rubric,
    # indicators, scores, evidence and values the form read.
    assert len(long) == len(short) <= 15


def test_a_first_visit_reads_the_units_report_once_and_starts_none(client, year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(year.officer)
    client.get(_url(year))
    with CaptureQueriesContext(connection) as visit:
        response = client.get(_url(year))

    assert response.status_code == 200
    assert 'name="narrative"' in response.content.decode()
    reports_read = [q for q in visit.captured_queries if 'FROM "campaigns_submission"' in q["sql"]]
    assert len(reports_read) == 1
    assert not Submission.objects.exists()


def test_an_untouched_model_gets_no_result(client, year):
    PovertyModel.objects.create(
        unit=year.unit, name="Nuôi bò", start_year=2018, participating_households=40
    )
    submission = _open(client, year)

    client.post(_url(year), post_data(year, submission))

    assert not ModelResult.objects.exists()


def test_an_organisation_reports_support_to_the_communes_it_sponsors(client, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    officer = UserFactory(unit=DepartmentFactory())
    year = year_build(officer)
    sponsored = SponsorshipFactory(sponsor=officer.unit, first_year=2018, last_year=2020).commune
    other = CommuneFactory()
    submission = _open(client, year)
    data = post_data(year, submission)
    for key in [k for k in data if k.startswith("value-")]:
        del data[key]
    data |= {
        f"support-{sponsored.pk}-money": "50.000.000",
        f"support-{sponsored.pk}-in_kind_value": "10.000.000",
        f"support-{sponsored.pk}-in_kind": "Bò giống",
        f"support-{sponsored.pk}-works": "Nhà văn hóa thôn",
        f"support-{other.pk}-money": "99.000.000",
    }

    response = client.post(_url(year), data)

    assert response.status_code == 302
    support = submission.sponsorship_support.get()
    assert (support.commune, support.money_vnd, support.in_kind_value_vnd) == (
        sponsored,
        50_000_000,
        10_000_000,
    )
    assert (support.in_kind, support.works) == ("Bò giống", "Nhà văn hóa thôn")
    form = client.get(_url(year)).context["form"]
    assert not [name for name in form.fields if name.startswith("value-")]


def test_a_closed_year_without_a_report_shows_why_and_creates_nothing(client, year, time_machine):
    time_machine.move_to(day(2020, 1, 16), tick=False)
    client.force_login(year.officer)

    response = client.get(_url(year))

    assert response.status_code == 200
    assert "campaigns/reporting/report_closed.html" in [t.name for t in response.templates]
    assert not Submission.objects.exists()


def test_a_locked_year_refuses_saving_even_before_its_deadline(client, year):
    submission = _open(client, year)
    year.period.state = "locked"
    year.period.save()

    response = client.post(_url(year), post_data(year, submission))

    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == [
        "period_closed"
    ]


def test_the_page_after_a_save_tells_the_browser_to_drop_its_copy(client, year):
    submission = _open(client, year)
    client.post(_url(year), post_data(year, submission))

    after_save = client.get(_url(year)).content.decode()
    later = client.get(_url(year)).content.decode()

    assert "data-saved" in after_save
    assert "data-saved" not in later
    # The officer reads that the draft is saved on that page only, once.
    assert after_save.count("Đã lưu nháp.") == 1
    assert "Đã lưu nháp." not in later


def test_another_browser_of_the_same_officer_is_not_told_that_it_saved(client, year):
    submission = _open(client, year)
    client.post(_url(year), post_data(year, submission))
    other = Client()
    other.cookies["sessionid"] = client.cookies["sessionid"].value

    page = other.get(_url(year)).content.decode()

    assert "Đã lưu nháp." not in page
    assert "data-saved" not in page


def test_a_second_model_with_the_same_name_is_refused_next_to_the_name(client, year):
    PovertyModel.objects.create(
        unit=year.unit, name="Nuôi bò", start_year=2018, participating_households=40
    )
    submission = _open(client, year)

    response = client.post(
        _url(year),
        post_data(
            year,
            submission,
            narrative="Giữ lại",
            **{"newmodel-name": "Nuôi bò", "newmodel-participating": "10"},
        ),
    )

    assert response.status_code == 422
    assert _codes(response, "newmodel-name") == ["model_exists"]
    assert "Giữ lại" in response.content.decode()
    submission.refresh_from_db()
    assert submission.narrative == ""
