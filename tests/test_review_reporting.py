"""Review of the yearly report: hostile or confused input is a clear form error, never a 500."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaigns import services as campaign_services
from campaigns.evidence import sniff
from campaigns.models import CommunicationItem, Evidence, Registration
from indicators.models import Measure, PovertyModel, RegisteredTarget
from kontum_poverty.numbers import VNNumberField, parse_vn_number
from tests.factories import IndicatorFactory
from tests.report_setup import IN_2019, complete_draft, pdf, post_data, year_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


def _report_url(year):
    return reverse("report:form", kwargs={"period_pk": year.period.pk})


def _open(client, year):
    """Open the form and start the draft, as the officer's first save does."""
    client.force_login(year.officer)
    assert client.get(_report_url(year)).status_code == 200
    return campaign_services.submission_get_or_create_draft(period=year.period, unit=year.unit)


def _codes(response, field):
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


@pytest.mark.parametrize("text", ["١٢٣", "１２３", "१२३", "1.２34"])
def test_digits_of_other_scripts_are_refused_not_guessed(text):
    with pytest.raises(ValidationError) as excinfo:
        parse_vn_number(text)

    assert excinfo.value.code == "malformed_number"


def test_the_field_refuses_digits_of_other_scripts():
    with pytest.raises(ValidationError) as excinfo:
        VNNumberField(integer=True).clean("١٢٣")

    assert excinfo.value.code == "malformed_number"


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("fund_mobilised_vnd", "9.223.372.036.854.775.808"),
        ("fund_mobilised_vnd", "99999999999999999999999999"),
        ("value-LABOUR-denominator", "9.223.372.036.854.775.808"),
        ("comm-0-count", "2.147.483.648"),
        ("newmodel-participating", "2.147.483.648"),
    ],
)
def test_a_number_too_big_for_the_database_is_an_error_next_to_its_field(
    client, year, field, typed
):
    submission = _open(client, year)
    extra = {"newmodel-name": "Nuôi bò sinh sản"} if field.startswith("newmodel") else {}

    response = client.post(
        _report_url(year), post_data(year, submission, **{field: typed, **extra})
    )

    assert response.status_code == 422
    assert _codes(response, field) == ["too_large"]
    assert response.context["form"][field].value() == typed
    submission.refresh_from_db()
    assert submission.version == 1
    assert not PovertyModel.objects.exists()


def test_the_largest_amount_the_database_holds_is_saved(client, year):
    submission = _open(client, year)

    response = client.post(
        _report_url(year),
        post_data(year, submission, fund_mobilised_vnd="9.223.372.036.854.775.807"),
    )

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.fund_mobilised_vnd == 9_223_372_036_854_775_807


def test_a_link_too_long_for_the_database_is_an_error_next_to_its_field(client, year):
    submission = _open(client, year)
    url = "https://baokontum.com.vn/" + "a" * 200

    response = client.post(_report_url(year), post_data(year, submission, **{"comm-0-url": url}))

    assert response.status_code == 422
    assert _codes(response, "comm-0-url") == ["max_length"]
    assert not CommunicationItem.objects.exists()


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("fund_pledge_vnd", "99.999.999.999.999.999.999"),
        ("target-GROWTH", "1.000.000.000.000"),
    ],
)
def test_a_registration_figure_too_big_for_the_database_is_an_error(client, year, field, typed):
    IndicatorFactory(campaign=year.period.campaign, code="GROWTH", measure=Measure.GROWTH)
    client.force_login(year.officer)
    data = {"fund_pledge_vnd": "1.000", "target-LABOUR": "53", "target-EDU": "", field: typed}

    response = client.post(
        reverse("report:registration", kwargs={"period_pk": year.period.pk}), data
    )

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()[field]] == ["too_large"]
    assert not Registration.objects.exists()
    assert not RegisteredTarget.objects.exists()


def test_evidence_whose_stored_file_is_gone_answers_404(client, year):
    evidence = complete_draft(year).evidence.get()
    evidence.file.storage.delete(evidence.file.name)
    client.force_login(year.officer)

    response = client.get(reverse("campaigns:evidence-download", kwargs={"pk": evidence.pk}))

    assert response.status_code == 404


def test_leaders_get_404_on_evidence_and_see_no_download_link(client, year, leader):
    submission = complete_draft(year)
    evidence = submission.evidence.get()
    client.force_login(leader)

    download = client.get(reverse("campaigns:evidence-download", kwargs={"pk": evidence.pk}))
    page = client.get(reverse("campaigns:submission-detail", kwargs={"pk": submission.pk}))

    assert download.status_code == 404
    assert page.status_code == 200
    assert evidence.original_name in page.content.decode()
    assert reverse("campaigns:evidence-download", kwargs={"pk": evidence.pk}) not in (
        page.content.decode()
    )


def test_a_file_name_with_line_breaks_never_reaches_the_download_header(client, year):
    submission = complete_draft(year)
    evidence = campaign_services.evidence_add(
        submission=submission,
        criterion_id=year.plain.pk,
        file=pdf('quyet\r\ndinh"\x00.pdf'),
        by=year.officer,
    )
    client.force_login(year.officer)

    response = client.get(reverse("campaigns:evidence-download", kwargs={"pk": evidence.pk}))

    assert response.status_code == 200
    assert "\n" not in response["Content-Disposition"]
    assert "\r" not in response["Content-Disposition"]
    assert "\x00" not in Evidence.objects.get(pk=evidence.pk).original_name


def test_markup_typed_into_the_report_is_shown_as_text(client, year, board_staff):
    submission = _open(client, year)
    attack = "<script>alert(1)</script>"
    client.post(
        _report_url(year),
        post_data(
            year,
            submission,
            narrative=attack,
            **{f"score-{year.plain.pk}-justification": attack, "comm-0-title": attack},
        ),
    )
    client.force_login(board_staff)

    page = client.get(reverse("campaigns:submission-detail", kwargs={"pk": submission.pk}))

    assert attack.encode() not in page.content
    assert b"&lt;script&gt;" in page.content


@pytest.mark.parametrize("forged", ["²", "١", "-1", "abc", ""])
def test_a_forged_evidence_id_to_remove_is_ignored(client, year, forged):
    submission = complete_draft(year)
    client.force_login(year.officer)

    response = client.post(_report_url(year), post_data(year, submission, remove_evidence=forged))

    assert response.status_code == 302
    assert submission.evidence.count() == 1


def _docx_with_huge_content_types() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # 64 MB of blanks squeezed into a few kilobytes: reading it whole would be the bomb.
        archive.writestr("[Content_Types].xml", b"<Types/>" + b" " * (64 * 1024 * 1024))
        archive.writestr("word/document.xml", "<x/>")
    return buffer.getvalue()


def test_a_zip_bomb_named_like_a_docx_is_refused_without_being_unpacked():
    data = _docx_with_huge_content_types()
    assert len(data) < 1024 * 1024

    with pytest.raises(ValidationError) as excinfo:
        sniff(io.BytesIO(data))

    assert excinfo.value.code == "file_type"


def test_an_empty_file_is_refused_next_to_its_criterion(client, year):
    submission = complete_draft(year)
    client.force_login(year.officer)

    response = client.post(
        _report_url(year),
        {**post_data(year, submission), f"evidence-{year.plain.pk}": pdf("trong.pdf", b"")},
    )

    assert response.status_code == 422
    assert _codes(response, f"evidence-{year.plain.pk}") == ["empty"]
    assert submission.evidence.count() == 1
