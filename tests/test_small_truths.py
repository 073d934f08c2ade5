"""Smaller truths the pages must tell: no "None" where a figure is missing, the unit's own
deadline, no report created by looking at it, numbers grouped the way people read them, and
award proposals only once the year is closed."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils.translation import override

from campaigns.diffs import readable_value
from campaigns.models import Submission, SubmissionStatus
from campaigns.services import review as review_services
from tests.factories import (
    DeadlineExtensionFactory,
    ModelResultFactory,
    PovertyModelFactory,
)
from tests.report_setup import IN_2019, complete_draft, pdf, post_data, year_build
from tests.test_board_review import sent, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


def page_text(response) -> str:
    """What a reader sees: the page without its tags, scripts and styles."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --- The review page's table of models ----------------------------------------------------------


def test_a_model_result_without_an_income_or_a_commune_shows_no_none(client, year, board_staff):
    submission = sent(year)
    model = PovertyModelFactory(unit=year.unit, name="Trồng sâm dây", commune=None)
    ModelResultFactory(
        model=model,
        year=2019,
        submission=submission,
        participating_households=40,
        average_income_vnd=None,
        escaped_households=0,
        comment="",
    )
    client.force_login(board_staff)

    response = client.get(reverse("board:review", kwargs={"pk": submission.pk}))

    assert response.status_code == 200
    text = page_text(response)
    assert "Trồng sâm dây" in text
    assert "None" not in text
    row = re.search(r"Trồng sâm dây(.*?)</tr>", response.content.decode(), re.S).group(1)
    assert "Chưa báo cáo" in unescape(re.sub(r"<[^>]+>", " ", row))


# --- The officer's deadline ---------------------------------------------------------------------


def test_the_officers_home_gives_the_units_extended_deadline(client, year):
    extended = year.period.deadline + timedelta(days=20)
    DeadlineExtensionFactory(period=year.period, unit=year.unit, deadline=extended)
    client.force_login(year.officer)

    text = page_text(client.get(reverse("home")))

    assert extended.strftime("%d/%m/%Y") in text
    assert year.period.deadline.strftime("%d/%m/%Y") not in text


def test_the_officers_home_gives_the_years_deadline_without_an_extension(client, year):
    client.force_login(year.officer)

    text = page_text(client.get(reverse("home")))

    assert year.period.deadline == date(2020, 1, 15)
    assert "15/01/2020" in text


def test_the_reports_page_gives_the_units_extended_deadline(client, year, board_staff):
    submission = sent(year)
    extended = year.period.deadline + timedelta(days=20)
    DeadlineExtensionFactory(period=year.period, unit=year.unit, deadline=extended)
    client.force_login(year.officer)

    text = page_text(client.get(reverse("campaigns:submission-detail", args=[submission.pk])))

    assert extended.strftime("%d/%m/%Y") in text
    assert year.period.deadline.strftime("%d/%m/%Y") not in text


# --- Numbers in the diff after a return ---------------------------------------------------------


def test_the_diff_groups_thousands_the_vietnamese_way(client, year, board_staff):
    submission = complete_draft(year)
    model = PovertyModelFactory(unit=year.unit, name="Nuôi bò sinh sản", participating_households=1)
    result = ModelResultFactory(
        model=model,
        year=2019,
        submission=submission,
        participating_households=12_500,
        average_income_vnd=31_000_000,
        escaped_households=0,
    )
    submission = submit(year, submission)
    submission = review_services.submission_return(
        submission=submission, by=board_staff, expected_version=submission.version, reason="Số hộ?"
    )
    result.participating_households = 13_750
    result.save()
    submit(year, submission)
    client.force_login(board_staff)

    response = client.get(reverse("board:review", kwargs={"pk": submission.pk}))

    (row,) = response.context["page"].diff
    assert (row.before, row.after) == ("12.500 – 0 – 31.000.000", "13.750 – 0 – 31.000.000")
    content = response.content.decode()
    assert "<del>12.500 – 0 – 31.000.000</del>" in content
    assert "<ins>13.750 – 0 – 31.000.000</ins>" in content


@pytest.mark.parametrize(
    ("language", "section", "key", "text", "shown"),
    [
        ("vi", "fields", "fund_mobilised_vnd", "250000000", "250.000.000"),
        ("en", "fields", "fund_mobilised_vnd", "250000000", "250,000,000"),
        # A narrative is text: a year or a figure in it stays as typed.
        ("vi", "fields", "narrative", "Năm 2019 có 12500 hộ", "Năm 2019 có 12500 hộ"),
        (
            "vi",
            "values",
            "LABOUR",
            "5200/10000 – Theo niên giám 2019",
            "5.200/10.000 – Theo niên giám 2019",
        ),
        ("vi", "models", "Nuôi bò", "40 – 0 – 2019 mất mùa", "40 – 0 – 2019 mất mùa"),
        ("vi", "scores", "1.2", "10.50 – Có quyết định 1234", "10,5 – Có quyết định 1234"),
        ("en", "scores", "1.2", "10.50 – Có quyết định", "10.5 – Có quyết định"),
        ("vi", "support", "701", "50000000 + 0 Bò giống", "50.000.000 + 0 Bò giống"),
        (
            "vi",
            "communication",
            "article:Bài",
            "1500 2019-06-03 https://x.vn/12345",
            "1.500 2019-06-03 https://x.vn/12345",
        ),
        ("vi", "evidence", "1.2:abc", "QD 12345.pdf", "QD 12345.pdf"),
        ("vi", "models", "Nuôi bò", None, None),
    ],
)
def test_diff_values_group_only_the_figures_a_section_starts_with(
    language, section, key, text, shown
):
    with override(language):
        assert readable_value(section, key, text) == shown


# --- Opening the report page creates nothing ----------------------------------------------------


def report_url(year) -> str:
    return reverse("report:form", kwargs={"period_pk": year.period.pk})


def test_opening_the_report_page_creates_no_report(client, year):
    client.force_login(year.officer)

    response = client.get(report_url(year))
    client.get(reverse("home"))

    assert response.status_code == 200
    assert not Submission.objects.exists()
    content = response.content.decode()
    assert 'id="report-not-saved"' in content
    # The checklist is there, nothing on it done yet; so are the evidence boxes.
    checklist = response.context["checklist"]
    assert [item.key for item in checklist] == [
        "narrative",
        "fund_mobilised_vnd",
        "scores",
        "evidence",
        "values",
        "warnings",
    ]
    assert [item.done for item in checklist] == [False, False, False, False, False, True]
    assert f'name="evidence-{year.evidenced.pk}"' in content
    assert 'value="submit"' in content and "disabled" in content


def test_the_first_save_creates_one_draft_with_its_evidence(client, year):
    client.force_login(year.officer)
    unsaved = client.get(report_url(year)).context["submission"]
    data = post_data(year, unsaved) | {f"evidence-{year.evidenced.pk}": pdf()}

    response = client.post(report_url(year), data)

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.unit, submission.status, submission.version) == (
        year.unit,
        SubmissionStatus.DRAFT,
        2,
    )
    assert submission.evidence.get().criterion == year.evidenced
    page = client.get(report_url(year))
    assert 'id="report-not-saved"' not in page.content.decode()
    assert all(item.done for item in page.context["checklist"])


def test_a_first_save_that_is_refused_leaves_no_report(client, year):
    PovertyModelFactory(unit=year.unit, name="Nuôi bò")
    client.force_login(year.officer)
    unsaved = client.get(report_url(year)).context["submission"]

    response = client.post(
        report_url(year),
        post_data(year, unsaved, **{"newmodel-name": "Nuôi bò", "newmodel-participating": "9"}),
    )

    assert response.status_code == 422
    assert response.context["form"].has_error("newmodel-name", "model_exists")
    assert not Submission.objects.exists()
    assert "Nuôi bò" in response.content.decode()


def test_two_tabs_opened_before_the_first_save_make_one_report(client, year):
    client.force_login(year.officer)
    first_tab = client.get(report_url(year)).context["submission"]
    second_tab = client.get(report_url(year)).context["submission"]
    client.post(report_url(year), post_data(year, first_tab, narrative="Tab một"))

    response = client.post(report_url(year), post_data(year, second_tab, narrative="Tab hai"))

    assert response.status_code == 409
    assert response.context["form"].has_error("__all__", "stale")
    assert Submission.objects.get().narrative == "Tab một"
