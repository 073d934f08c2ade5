"""Evidence files: kinds known by content, a size cap, generated names, downloads checked."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from campaigns import services as campaign_services
from campaigns.evidence import DOCX, JPEG, PDF, PNG, XLSX, sniff
from campaigns.models import Evidence
from tests.factories import CriterionFactory
from tests.report_setup import (
    IN_2019,
    PDF_BYTES,
    complete_draft,
    draft,
    pdf,
    post_data,
    year_build,
)

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _ooxml(main: str, folder: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/{folder}main.xml" ContentType="{main}"/></Types>',
        )
        archive.writestr(f"{folder}main.xml", "<x/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX_BYTES = _ooxml(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "word/"
)
XLSX_BYTES = _ooxml(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xl/"
)
XLSM_BYTES = _ooxml(
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml", "xl/", extra={"xl/vbaProject.bin": b"x"}
)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF_BYTES, PDF),
        (PNG_BYTES, PNG),
        (JPEG_BYTES, JPEG),
        (DOCX_BYTES, DOCX),
        (XLSX_BYTES, XLSX),
    ],
)
def test_accepted_kinds_are_recognised_by_their_content(data, kind):
    assert sniff(io.BytesIO(data)) == kind


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"MZ\x90\x00 a windows program", "file_type"),
        (b"<html><script>alert(1)</script>", "file_type"),
        (_ooxml("text/plain", "other/"), "file_type"),
        (b"PK\x03\x04 not really a zip", "file_type"),
        (XLSM_BYTES, "file_macros"),
    ],
)
def test_other_content_is_refused_whatever_its_name(data, code):
    with pytest.raises(ValidationError) as excinfo:
        sniff(io.BytesIO(data))
    assert excinfo.value.code == code


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


def _add(year, file, criterion=None):
    submission = complete_draft(year)
    return campaign_services.evidence_add(
        submission=submission,
        criterion_id=(criterion or year.evidenced).pk,
        file=file,
        by=year.officer,
    )


def test_the_kind_comes_from_the_content_not_the_name(year):
    evidence = _add(year, pdf(name="anh-chup.png"))

    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == "anh-chup.png"
    assert evidence.file.name.endswith(".pdf")


def test_a_program_named_like_a_pdf_is_refused(year):
    with pytest.raises(ValidationError) as excinfo:
        _add(year, pdf(name="quyet-dinh.pdf", data=b"MZ\x90\x00program"))

    assert excinfo.value.code == "file_type"


def test_a_file_over_the_limit_is_refused(year, settings):
    settings.EVIDENCE_MAX_BYTES = 1024

    with pytest.raises(ValidationError) as excinfo:
        _add(year, pdf(data=PDF_BYTES + b"0" * 1024))

    assert excinfo.value.code == "file_too_large"


def test_files_are_stored_under_generated_names_with_their_digest(year):
    evidence = _add(year, pdf(name="../../etc/Biên bản.pdf"))

    assert evidence.file.name.startswith("evidence/2019/")
    assert "Biên" not in evidence.file.name and ".." not in evidence.file.name
    assert evidence.original_name == "Biên bản.pdf"
    assert len(evidence.sha256) == 64
    assert default_storage.exists(evidence.file.name)


def test_evidence_attaches_only_to_the_units_own_criteria(year):
    with pytest.raises(ValidationError) as excinfo:
        _add(year, pdf(), criterion=CriterionFactory())

    assert excinfo.value.code == "criterion"


def test_a_file_attached_in_the_form_lands_on_its_criterion(client, year):
    submission = complete_draft(year)
    client.force_login(year.officer)

    client.post(
        reverse("report:form", kwargs={"period_pk": year.period.pk}),
        post_data(year, submission) | {f"evidence-{year.plain.pk}": pdf("bien-ban.pdf")},
    )

    evidence = Evidence.objects.get(criterion=year.plain)
    assert evidence.original_name == "bien-ban.pdf"


def test_a_refused_file_is_reported_and_the_rest_is_saved(client, year):
    submission = complete_draft(year)
    client.force_login(year.officer)

    response = client.post(
        reverse("report:form", kwargs={"period_pk": year.period.pk}),
        post_data(year, submission, narrative="Đã lưu")
        | {f"evidence-{year.plain.pk}": pdf("virus.pdf", b"MZ\x90")},
        follow=True,
    )

    assert not Evidence.objects.filter(criterion=year.plain).exists()
    assert any("1.1" in str(m) for m in response.context["messages"])
    submission.refresh_from_db()
    assert submission.narrative == "Đã lưu"


def test_removing_evidence_deletes_the_row_and_the_file(
    client, year, django_capture_on_commit_callbacks
):
    submission = complete_draft(year)
    evidence = submission.evidence.get()
    client.force_login(year.officer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("report:form", kwargs={"period_pk": year.period.pk}),
            post_data(year, submission, remove_evidence=str(evidence.pk)),
        )

    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not default_storage.exists(evidence.file.name)


def _download(client, evidence):
    return client.get(reverse("campaigns:evidence-download", kwargs={"pk": evidence.pk}))


@pytest.mark.parametrize("persona", ["unit_officer", "board_staff", "admin_user"])
def test_the_unit_the_board_and_admins_download_evidence(client, year, request, persona):
    evidence = complete_draft(year).evidence.get()
    client.force_login(request.getfixturevalue(persona))

    response = _download(client, evidence)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_units_evidence_answers_404_like_a_missing_one(client, year, outsider):
    evidence = complete_draft(year).evidence.get()
    client.force_login(outsider)

    assert _download(client, evidence).status_code == 404
    assert (
        client.get(
            reverse("campaigns:evidence-download", kwargs={"pk": evidence.pk + 1000})
        ).status_code
        == 404
    )


def test_access_is_checked_at_download_time(client, year, outsider):
    evidence = complete_draft(year).evidence.get()
    client.force_login(year.officer)
    assert _download(client, evidence).status_code == 200

    # The officer moves to another unit: the same session no longer reaches the file.
    year.officer.unit = outsider.unit
    year.officer.save()

    assert _download(client, evidence).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, year):
    evidence = complete_draft(year).evidence.get()

    response = _download(client, evidence)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_workbook_saved_by_a_spreadsheet_program_is_an_xlsx():
    from openpyxl import Workbook

    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active["A1"] = "Danh sách hộ thoát nghèo"
    workbook.save(buffer)

    assert sniff(io.BytesIO(buffer.getvalue())) == XLSX


def test_a_save_that_fails_after_storing_a_file_leaves_no_file_behind(year, monkeypatch):
    from indicators.submissions import services

    submission = complete_draft(year)
    stored: list[str] = []
    real_add = campaign_services.evidence_add

    def add_and_remember(**kwargs):
        evidence = real_add(**kwargs)
        stored.append(evidence.file.name)
        return evidence

    def broken_submit(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(campaign_services, "evidence_add", add_and_remember)
    monkeypatch.setattr(campaign_services, "submission_submit", broken_submit)

    with pytest.raises(RuntimeError):
        services.report_save(
            submission=submission,
            by=year.officer,
            expected_version=submission.version,
            draft=draft(year),
            values={},
            results={},
            evidence_files=[(year.plain.pk, pdf("bien-ban.pdf"))],
            submit=True,
        )

    assert len(stored) == 1
    assert not default_storage.exists(stored[0])
    assert not Evidence.objects.filter(criterion=year.plain).exists()
