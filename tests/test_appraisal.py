"""DOLISA's appraisal of poverty figures: what DOLISA may read and write, where the Board reads
the appraisal, and the Board's rule that a report is accepted only after it."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Appraisal, AppraisalVerdict, Submission, SubmissionStatus
from campaigns.services import appraisal, figures, review
from campaigns.services.submissions import ScoreInput
from indicators.models import Measure
from tests.factories import (
    BlocFactory,
    BlocMembershipFactory,
    CampaignFactory,
    CommuneFactory,
    CommuneStatisticsFactory,
    CriterionFactory,
    CriterionScoreFactory,
    DistrictFactory,
    IndicatorFactory,
    PeriodFactory,
    SubmissionFactory,
    SubmissionStepFactory,
    UserFactory,
)
from units.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    return PeriodFactory(
        year=2019,
        campaign=CampaignFactory(),
        opens_on=date(2019, 1, 1),
        deadline=date(2099, 12, 31),
    )


@pytest.fixture
def report(period):
    """A district's report sent to the Board, scored by the Board on its one criterion."""
    bloc = BlocFactory(campaign=period.campaign)
    criterion = CriterionFactory(bloc=bloc, code="1", max_points=100)
    district = DistrictFactory(code="612", name="Huyện Đắk Tô")
    BlocMembershipFactory(bloc=bloc, unit=district)
    IndicatorFactory(campaign=period.campaign, code="LABOUR", measure=Measure.RATE, target_low=52)
    commune = CommuneFactory(parent=district)
    CommuneStatisticsFactory(commune=commune, year=2019, fell_back=4, newly_poor=7)
    submission = SubmissionFactory(period=period, unit=district, submitted=True)
    SubmissionStepFactory(submission=submission)
    CriterionScoreFactory(submission=submission, criterion=criterion, self_points=80)
    return submission


def board_scored(submission, board):
    criterion = submission.scores.get().criterion
    return review.board_scores_save(
        submission=submission,
        by=board,
        expected_version=submission.version,
        scores={criterion.pk: ScoreInput(80)},
    )


# --- Who may do what ----------------------------------------------------------------------------


def test_dolisa_lands_on_the_appraisal_list_of_the_year(client, dolisa, report):
    client.force_login(dolisa)

    response = client.get(reverse("home"), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("board:appraisals", args=[report.period_id])
    assert "Huyện Đắk Tô" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("board:queue", "period"),
        ("board:review", "report"),
        ("board:ranking", "period"),
        ("board:groups", "period"),
        ("dashboard:home", None),
        ("campaigns:submission-detail", "report"),
    ],
)
def test_dolisa_reads_nothing_but_what_it_appraises(client, dolisa, report, name, args):
    client.force_login(dolisa)
    pk = {"period": report.period_id, "report": report.pk, None: None}[args]

    response = client.get(reverse(name, args=[pk] if pk else []))

    assert response.status_code in (403, 404)


def test_dolisa_cannot_act_for_the_board(client, dolisa, report):
    client.force_login(dolisa)

    response = client.post(reverse("board:accept", args=[report.pk]), {"version": report.version})

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == SubmissionStatus.SUBMITTED
    with pytest.raises(PermissionDenied):
        review.submission_accept(submission=report, by=dolisa, expected_version=report.version)


def test_a_draft_is_not_shown_to_dolisa(client, dolisa, period):
    draft = SubmissionFactory(period=period)
    client.force_login(dolisa)

    assert client.get(reverse("board:appraise-report", args=[draft.pk])).status_code == 404
    with pytest.raises(ValidationError) as refused:
        appraisal.report_appraise(submission=draft, by=dolisa, verdict=AppraisalVerdict.AGREED)
    assert refused.value.code == "not_sent"


@pytest.mark.parametrize("persona", ["board_staff", "leader", "unit_officer"])
def test_only_dolisa_appraises(client, request, report, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    response = client.post(
        reverse("board:appraise-report", args=[report.pk]), {"verdict": "agreed"}
    )

    assert response.status_code == 403
    assert not Appraisal.objects.exists()
    with pytest.raises(PermissionDenied):
        appraisal.report_appraise(submission=report, by=user, verdict=AppraisalVerdict.AGREED)


# --- Recording it, and where the Board reads it -------------------------------------------------


def test_an_opinion_per_figure_shows_on_the_review_page_and_in_the_timeline(
    client, dolisa, board_staff, report
):
    client.force_login(dolisa)
    page = client.get(reverse("board:appraise-report", args=[report.pk]))
    assert 'name="opinion-LABOUR"' in page.content.decode()
    assert 'name="opinion-poverty"' in page.content.decode()

    response = client.post(
        reverse("board:appraise-report", args=[report.pk]),
        {
            "verdict": "opinion",
            "comment": "",
            "opinion-LABOUR": "Số lao động qua đào tạo chưa khớp báo cáo ngành.",
            "opinion-made-up": "ignored",
        },
    )

    assert response.status_code == 302
    recorded = Appraisal.objects.get()
    assert recorded.opinions == {"LABOUR": "Số lao động qua đào tạo chưa khớp báo cáo ngành."}
    assert (recorded.by, recorded.submission_version) == (dolisa, report.version)
    client.force_login(board_staff)
    html = client.get(reverse("board:review", args=[report.pk])).content.decode()
    assert 'data-appraisal-verdict="opinion"' in html
    assert html.count("Số lao động qua đào tạo chưa khớp báo cáo ngành.") == 2  # panel, timeline
    assert 'data-appraisal="opinion"' in html


def test_an_opinion_without_text_is_refused_and_nothing_is_saved(client, dolisa, report):
    client.force_login(dolisa)

    response = client.post(
        reverse("board:appraise-report", args=[report.pk]), {"verdict": "opinion"}
    )

    assert response.status_code == 422
    assert 'id="form-errors"' in response.content.decode()
    assert not Appraisal.objects.exists()


def test_agreeing_while_writing_opinions_is_refused(dolisa, report):
    with pytest.raises(ValidationError) as refused:
        appraisal.report_appraise(
            submission=report,
            by=dolisa,
            verdict=AppraisalVerdict.AGREED,
            opinions={"LABOUR": "sai"},
            figure_keys=["LABOUR"],
        )
    assert refused.value.code == "agreement_has_opinions"


def test_dolisa_appraises_a_districts_commune_statistics(client, dolisa, report):
    district = report.unit
    client.force_login(dolisa)
    url = reverse("board:appraise-statistics", args=[report.period_id, district.pk])
    assert "statistics-table" in client.get(url).content.decode()

    client.post(url, {"verdict": "opinion", "opinion-fell_back": "Xã báo thiếu 2 hộ tái nghèo."})

    recorded = Appraisal.objects.get()
    assert (recorded.unit, recorded.submission) == (district, None)
    assert recorded.opinions == {"fell_back": "Xã báo thiếu 2 hộ tái nghèo."}
    listing = client.get(reverse("board:appraisals", args=[report.period_id])).content.decode()
    assert f'data-unit="{district.code}" data-verdict="opinion"' in listing


def test_dolisa_gives_an_opinion_on_the_ethnic_minority_re_poverty(client, dolisa, report):
    district = report.unit
    client.force_login(dolisa)
    url = reverse("board:appraise-statistics", args=[report.period_id, district.pk])
    page = client.get(url).content.decode()
    assert 'name="opinion-fell_back_ethnic_minority"' in page

    client.post(
        url,
        {"verdict": "opinion", "opinion-fell_back_ethnic_minority": "Thiếu 1 hộ DTTS tái nghèo."},
    )

    assert Appraisal.objects.get().opinions == {
        "fell_back_ethnic_minority": "Thiếu 1 hộ DTTS tái nghèo."
    }


# --- The Board's rule: appraisal before acceptance ------------------------------------------------


def test_when_required_a_report_is_accepted_only_after_the_appraisal(board_staff, dolisa, report):
    figures.appraisal_required_set(campaign=report.period.campaign, required=True, by=board_staff)
    report = board_scored(report, board_staff)

    with pytest.raises(ValidationError) as refused:
        review.submission_accept(submission=report, by=board_staff, expected_version=report.version)
    assert refused.value.code == "appraisal_required"
    assert Submission.objects.get(pk=report.pk).status == SubmissionStatus.SUBMITTED

    appraisal.report_appraise(submission=report, by=dolisa, verdict=AppraisalVerdict.AGREED)
    done = review.submission_accept(
        submission=report, by=board_staff, expected_version=report.version
    )
    assert done.status == SubmissionStatus.ACCEPTED


def test_an_appraisal_of_an_earlier_sending_does_not_count(board_staff, dolisa, report):
    figures.appraisal_required_set(campaign=report.period.campaign, required=True, by=board_staff)
    appraisal.report_appraise(submission=report, by=dolisa, verdict=AppraisalVerdict.AGREED)
    # The unit sent the report again after the appraisal (returned, corrected, resubmitted).
    Submission.objects.filter(pk=report.pk).update(
        submitted_at=timezone.now() + timedelta(minutes=5)
    )
    report.refresh_from_db()
    report = board_scored(report, board_staff)

    with pytest.raises(ValidationError) as refused:
        review.submission_accept(submission=report, by=board_staff, expected_version=report.version)
    assert refused.value.code == "appraisal_required"


def test_without_the_rule_the_board_accepts_before_the_appraisal(board_staff, report):
    report = board_scored(report, board_staff)

    done = review.submission_accept(
        submission=report, by=board_staff, expected_version=report.version
    )

    assert done.status == SubmissionStatus.ACCEPTED


def test_the_board_sets_the_rule_on_its_page_and_leaders_cannot(
    client, board_staff, leader, period
):
    url = reverse("board:groups", args=[period.pk])
    client.force_login(leader)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "appraisal", "required": "yes"}).status_code == 403

    client.force_login(board_staff)
    assert client.post(url, {"action": "appraisal", "required": "yes"}).status_code == 302

    period.campaign.refresh_from_db()
    assert period.campaign.appraisal_required


def test_the_queue_shows_which_reports_dolisa_appraised(client, board_staff, dolisa, report):
    BlocMembershipFactory(bloc=BlocFactory(campaign=report.period.campaign), unit=report.unit)
    client.force_login(board_staff)
    url = reverse("board:queue", args=[report.period_id])
    assert 'data-flag="appraised"' not in client.get(url).content.decode()

    appraisal.report_appraise(submission=report, by=dolisa, verdict=AppraisalVerdict.AGREED)

    assert 'data-flag="appraised"' in client.get(url).content.decode()


# --- DOLISA's opinion is a comment the Board and the unit hear of ---------------------------------


def test_an_opinion_reaches_the_board_and_the_units_officers(board_staff, dolisa, report):
    officer = UserFactory(unit=report.unit)
    other_unit_officer = UserFactory(unit=DistrictFactory(code="618"))

    appraisal.report_appraise(
        submission=report,
        by=dolisa,
        verdict=AppraisalVerdict.OPINION,
        comment="Số hộ tái nghèo chưa khớp với số liệu của xã.",
    )

    for person, link in (
        (board_staff, reverse("board:review", args=[report.pk])),
        (officer, reverse("campaigns:submission-detail", args=[report.pk])),
    ):
        notice = Notification.objects.get(recipient=person, kind=NotificationKind.REPORT_APPRAISED)
        assert "Số hộ tái nghèo chưa khớp với số liệu của xã." in notice.message
        assert "Huyện Đắk Tô" in notice.message and notice.link.endswith(link)
    assert not Notification.objects.filter(recipient=other_unit_officer).exists()
