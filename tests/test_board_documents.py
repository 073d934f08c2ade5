"""The Board's documents: signable papers, the review reports, their text, versions and approval.

Read back from the PDFs as a person reads them: the five sections, the blank date line for the
clerk, "Nơi nhận", the signer block, and "DỰ THẢO" until the Board approves and gone after.
"""

import datetime
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from campaigns.models import Campaign, PeriodState, ReportingPeriod
from reports.documents import document_for
from reports.documents.signing import issuer_for
from reports.models import (
    BoardDocument,
    DocumentSetup,
    NarrativeVersion,
    ReportKind,
    Signing,
)
from reports.pdf import render_with_annex
from reports.services import texts
from tests.factories import UserFactory
from tests.pdf_tools import pdf_page_texts
from tests.test_pdf_province import _province

pytestmark = pytest.mark.django_db

ON = "2020-02-05"
SECTIONS = (
    "I. KẾT QUẢ THỰC HIỆN",
    "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
    "III. BÀI HỌC KINH NGHIỆM",
    "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ",
    "V. ĐỀ XUẤT, KIẾN NGHỊ",
)
BLANK_DATE = re.compile(r"Kon Tum, ngày\s+tháng\s+năm 2020")
TEXTS = {
    "shortcomings": "Một số xã biên giới giảm nghèo chưa bền vững.",
    "lessons": "Lấy người dân làm trung tâm.",
    "directions": "Tập trung cho các xã đặc biệt khó khăn.",
    "proposals": "Đề nghị bố trí kinh phí khen thưởng.",
}


def _layout(content: bytes) -> str:
    """The text line by line as laid out on the page: the date line stays one line."""
    return " ".join(pdf_page_texts(content))


def _main_text(kind: str, year: int) -> str:
    """The main part only (no annex): quicker, and what the tests read."""
    with translation.override("vi"):
        doc = document_for(kind=kind, params={"year": year, "date": ON})
        return _layout(render_with_annex(doc.main_html(), None).content)


@pytest.fixture
def campaign() -> Campaign:
    _province(districts=1, communes=2)
    return Campaign.objects.get()


def _close(campaign: Campaign, year: int) -> None:
    ReportingPeriod.objects.filter(campaign=campaign, year=year).update(state=PeriodState.CLOSED)


def _write(campaign, kind, year, by, base=0, **changes):
    return texts.narrative_save(
        campaign=campaign,
        kind=kind,
        year=year,
        by=by,
        texts={**TEXTS, **changes},
        base_version=base,
    )


# --- The papers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "year"), [("interim", 2019), ("final", 2020), ("province", 2019)])
def test_every_report_has_the_five_sections_a_blank_date_recipients_and_the_draft_mark(
    campaign, kind, year
):
    text = _main_text(kind, year)

    for heading in SECTIONS:
        assert heading in text
    assert BLANK_DATE.search(text)
    assert "Nơi nhận:" in text
    assert "DỰ THẢO" in text
    assert "Ban chưa viết nội dung phần này." in text  # nothing written yet, and it says so


def test_the_reviews_are_titled_and_signed_for_the_provincial_committee(campaign):
    interim, final = _main_text("interim", 2019), _main_text("final", 2020)

    assert "Sơ kết phong trào thi đua" in interim and "giai đoạn 2017–2019" in interim
    assert "Tổng kết phong trào thi đua" in final and "giai đoạn 2017–2020" in final
    for text in (interim, final):
        assert re.search(r"ỦY BAN NHÂN DÂN .*TỈNH KON TUM", text)
        assert re.search(r"Số:\D{0,80}/BC-UBND", text)  # no number until the clerk gives one
        assert re.search(r"TM\. ỦY BAN NHÂN DÂN .*KT\. CHỦ TỊCH .*PHÓ CHỦ TỊCH", text)
    # The review's figures year by year, from the engine.
    assert "Kết quả các mục tiêu qua từng năm, 2017–2019" in interim


def test_a_final_review_of_another_year_than_the_last_is_refused(campaign):
    with pytest.raises(ValidationError) as excinfo:
        document_for(kind="final", params={"year": 2019, "date": ON})
    assert excinfo.value.code == "unavailable"
    with pytest.raises(ValidationError):
        document_for(kind="interim", params={"year": 2020, "date": ON})


def test_the_written_sections_are_printed_and_the_mark_goes_only_with_approval_of_a_closed_year(
    campaign, board_staff
):
    version = _write(campaign, "interim", 2019, board_staff)
    text = _main_text("interim", 2019)
    assert TEXTS["shortcomings"] in text and TEXTS["proposals"] in text
    assert "DỰ THẢO" in text

    with pytest.raises(ValidationError) as excinfo:  # the year is still open
        texts.narrative_approve(
            campaign=campaign, kind="interim", year=2019, by=board_staff, version=version.number
        )
    assert excinfo.value.code == "year_open"

    _close(campaign, 2019)
    texts.narrative_approve(
        campaign=campaign, kind="interim", year=2019, by=board_staff, version=version.number
    )
    text = _main_text("interim", 2019)
    assert "DỰ THẢO" not in text
    assert BLANK_DATE.search(text)  # approved, but not yet signed: the clerk still dates it


def test_an_edit_after_approval_makes_the_paper_a_draft_again(campaign, board_staff):
    _close(campaign, 2019)
    first = _write(campaign, "province", 2019, board_staff)
    texts.narrative_approve(
        campaign=campaign, kind="province", year=2019, by=board_staff, version=first.number
    )
    assert "DỰ THẢO" not in _main_text("province", 2019)

    _write(campaign, "province", 2019, board_staff, base=1, lessons="Bài học mới.")

    text = _main_text("province", 2019)
    assert "DỰ THẢO" in text and "Bài học mới." in text


def test_an_issued_document_prints_its_registered_number_and_date_and_no_longer_changes(
    campaign, board_staff
):
    _close(campaign, 2019)
    version = _write(campaign, "province", 2019, board_staff)
    document = texts.narrative_approve(
        campaign=campaign, kind="province", year=2019, by=board_staff, version=version.number
    )
    texts.document_issue(
        document=document,
        number="25/BC-BTĐKT",
        issued_on=datetime.date(2020, 1, 20),
        approved=True,
    )

    text = _main_text("province", 2019)
    assert "Số: 25/BC-BTĐKT" in text
    assert "Kon Tum, ngày 20 tháng 01 năm 2020" in text
    with pytest.raises(ValidationError) as excinfo:
        _write(campaign, "province", 2019, board_staff, base=1, lessons="Sửa sau khi ban hành.")
    assert excinfo.value.code == "issued"


def test_the_award_letter_is_a_proposal_letter_with_its_list_and_no_invented_type(campaign):
    text = _main_text("awards", 2019)

    assert "TỜ TRÌNH" in text
    assert re.search(r"Số:\D{0,80}/TTr-BTĐKT", text)
    assert "Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh Kon Tum." in text
    assert "DANH SÁCH" in text and "Kèm theo Tờ trình số" in text
    assert BLANK_DATE.search(text)
    assert "DỰ THẢO" in text
    assert "PĐG" not in text and "Phiếu" not in text


def test_approving_the_letter_holds_for_the_list_it_saw(campaign, board_staff):
    from reports.documents.awards import AwardLetter, award_list_key

    _close(campaign, 2019)
    letter = AwardLetter.build(year=2019, on=datetime.date(2020, 2, 5))
    texts.award_letter_approve(
        campaign=campaign, year=2019, by=board_staff, key=award_list_key(letter.groups)
    )
    assert "DỰ THẢO" not in _main_text("awards", 2019)

    BoardDocument.objects.filter(kind="awards").update(approved_key="a list that changed since")
    assert "DỰ THẢO" in _main_text("awards", 2019)


# --- Issuers and signers ------------------------------------------------------------------------


def test_the_signer_block_combines_the_decree_30_forms():
    setup = DocumentSetup(
        kind="province",
        issuing_body="BAN THI ĐUA - KHEN THƯỞNG",
        issuer_code="BTĐKT",
        head_title="TRƯỞNG BAN",
    )
    from reports.documents.signing import issuer_from

    assert issuer_from(setup).signer_lines == ["TRƯỞNG BAN"]
    setup.signing, setup.signer_title = Signing.DEPUTY, "PHÓ TRƯỞNG BAN"
    assert issuer_from(setup).signer_lines == ["KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"]
    setup.signing = Signing.ACTING
    assert issuer_from(setup).signer_lines == ["Q. TRƯỞNG BAN"]
    setup.collective, setup.head_title = "ỦY BAN NHÂN DÂN", "CHỦ TỊCH"
    setup.signing, setup.signer_title = Signing.ON_ORDER, "CHÁNH VĂN PHÒNG"
    assert issuer_from(setup).signer_lines == [
        "TM. ỦY BAN NHÂN DÂN",
        "TL. CHỦ TỊCH",
        "CHÁNH VĂN PHÒNG",
    ]
    setup.signing = Signing.DELEGATED
    assert issuer_from(setup).signer_lines[1] == "TUQ. CHỦ TỊCH"


def test_the_board_sets_the_issuer_and_signer_of_a_kind_and_the_paper_follows(
    campaign, board_staff
):
    texts.setup_save(
        kind="province",
        by=board_staff,
        data={
            "parent_body": "SỞ NỘI VỤ TỈNH KON TUM",
            "issuing_body": "BAN THI ĐUA - KHEN THƯỞNG",
            "issuer_code": "BTĐKT",
            "head_title": "TRƯỞNG BAN",
            "signing": Signing.DEPUTY,
            "signer_title": "PHÓ TRƯỞNG BAN",
            "signer_name": "Nguyễn Văn An",
            "recipients": "Thường trực Tỉnh ủy\nUBND tỉnh",
        },
    )

    text = _main_text("province", 2019)
    assert re.search(r"KT\. TRƯỞNG BAN .*PHÓ TRƯỞNG BAN .*Nguyễn Văn An", text)
    assert "Nguyễn Văn An" in text
    assert "- Thường trực Tỉnh ủy;" in text
    assert issuer_for("interim").issuer_code == "UBND"  # other kinds keep their own


def test_a_deputy_without_a_title_is_refused(board_staff):
    with pytest.raises(ValidationError) as excinfo:
        texts.setup_save(
            kind="province",
            by=board_staff,
            data={
                "issuing_body": "BAN THI ĐUA - KHEN THƯỞNG",
                "issuer_code": "BTĐKT",
                "head_title": "TRƯỞNG BAN",
                "signing": Signing.DEPUTY,
            },
        )
    assert "signer_title_needed" in str(excinfo.value.error_dict) or excinfo.value
    assert not DocumentSetup.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentSetup.objects.create(
            kind="awards",
            issuing_body="X",
            issuer_code="X",
            head_title="TRƯỞNG BAN",
            signing=Signing.DEPUTY,
            updated_by=board_staff,
        )


# --- Versions -----------------------------------------------------------------------------------


def test_each_save_is_a_version_with_its_writer_and_each_section_names_who_last_wrote_it(
    campaign, board_staff
):
    other = UserFactory(username="board-2", board=True, first_name="Bình", last_name="Trần")
    _write(campaign, "final", 2020, board_staff)
    _write(campaign, "final", 2020, other, base=1, lessons="Bài học của người thứ hai.")

    from reports.narratives import narrative_state

    state = narrative_state(campaign=campaign, kind="final", year=2020)
    assert [v.number for v in state.document.versions.order_by("number")] == [1, 2]
    by_field = {s.field: s for s in state.sections}
    assert by_field["lessons"].version == 2 and "Bình" in by_field["lessons"].written_by
    assert by_field["shortcomings"].version == 1
    assert NarrativeVersion.objects.get(number=1).lessons == TEXTS["lessons"]  # kept as it was


def test_a_save_over_a_newer_version_is_refused_and_nothing_is_lost(campaign, board_staff):
    _write(campaign, "final", 2020, board_staff)
    _write(campaign, "final", 2020, board_staff, base=1, lessons="Bản thứ hai.")

    with pytest.raises(ValidationError) as excinfo:
        _write(campaign, "final", 2020, board_staff, base=1, lessons="Viết trên bản cũ.")

    assert excinfo.value.code == "stale_version"
    assert NarrativeVersion.objects.count() == 2


def test_saving_the_same_text_makes_no_version(campaign, board_staff):
    _write(campaign, "final", 2020, board_staff)
    assert _write(campaign, "final", 2020, board_staff, base=1) is None
    assert NarrativeVersion.objects.count() == 1


def test_a_campaign_has_one_mid_term_review(campaign, board_staff):
    _write(campaign, "interim", 2019, board_staff)
    with pytest.raises(ValidationError) as excinfo:
        _write(campaign, "interim", 2018, board_staff)
    assert excinfo.value.code == "one_review_per_campaign"
    with pytest.raises(IntegrityError), transaction.atomic():
        BoardDocument.objects.create(campaign=campaign, kind="interim", year=2018)


# --- Pages --------------------------------------------------------------------------------------


def test_the_board_writes_and_approves_in_the_browser_pages(client, campaign, board_staff):
    client.force_login(board_staff)
    url = reverse("documents:board-document", args=["interim", 2019])

    response = client.post(url, {"action": "save", "base_version": 0, **TEXTS, "note": "Bản đầu"})
    assert response.status_code == 302
    version = NarrativeVersion.objects.get()
    assert version.written_by == board_staff and version.note == "Bản đầu"

    page = client.get(url)
    assert page.status_code == 200
    assert TEXTS["lessons"] in page.content.decode()

    refused = client.post(url, {"action": "approve", "version": 1})
    assert refused.status_code == 422  # the year is open
    assert "chưa đóng kỳ báo cáo" in refused.content.decode()

    _close(campaign, 2019)
    assert client.post(url, {"action": "approve", "version": 1}).status_code == 302
    assert BoardDocument.objects.get().approved_version == version

    listing = client.get(reverse("documents:board-list"))
    assert listing.status_code == 200
    assert "doc-interim-2019" in listing.content.decode()


def test_a_stale_save_keeps_the_writers_text_on_the_page(client, campaign, board_staff):
    _write(campaign, "final", 2020, board_staff)
    client.force_login(board_staff)
    url = reverse("documents:board-document", args=["final", 2020])

    response = client.post(
        url, {"action": "save", "base_version": 0, **TEXTS, "lessons": "Văn bản của tôi"}
    )

    assert response.status_code == 422
    assert "Văn bản của tôi" in response.content.decode()
    assert NarrativeVersion.objects.count() == 1


def test_leaders_read_but_cannot_write_and_officers_see_nothing(
    client, campaign, leader, unit_officer
):
    url = reverse("documents:board-document", args=["final", 2020])
    client.force_login(leader)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "save", "base_version": 0, **TEXTS}).status_code == 403
    assert client.get(reverse("documents:setup")).status_code == 200
    assert client.post(reverse("documents:setup"), {"kind": "province"}).status_code == 403

    client.force_login(unit_officer)
    assert client.get(url).status_code == 403
    assert client.get(reverse("documents:board-list")).status_code == 403
    assert not NarrativeVersion.objects.exists()


def test_an_unknown_kind_or_year_is_not_found(client, campaign, board_staff):
    client.force_login(board_staff)
    assert client.get(reverse("documents:board-document", args=["unit", 2019])).status_code == 404
    assert client.get(reverse("documents:board-document", args=["final", 2019])).status_code == 404


def test_the_board_sets_up_a_signer_on_its_page(client, campaign, board_staff):
    client.force_login(board_staff)
    response = client.post(
        reverse("documents:setup"),
        {
            "kind": "awards",
            "awards-issuing_body": "BAN THI ĐUA - KHEN THƯỞNG",
            "awards-parent_body": "SỞ NỘI VỤ TỈNH KON TUM",
            "awards-issuer_code": "BTĐKT",
            "awards-head_title": "TRƯỞNG BAN",
            "awards-signing": "deputy",
            "awards-signer_title": "",
        },
    )
    assert response.status_code == 422  # a deputy needs a title
    assert not DocumentSetup.objects.exists()

    response = client.post(
        reverse("documents:setup"),
        {
            "kind": "awards",
            "awards-issuing_body": "BAN THI ĐUA - KHEN THƯỞNG",
            "awards-issuer_code": "BTĐKT",
            "awards-head_title": "TRƯỞNG BAN",
            "awards-signing": "deputy",
            "awards-signer_title": "PHÓ TRƯỞNG BAN",
        },
    )
    assert response.status_code == 302
    assert issuer_for(ReportKind.AWARDS).signer_lines == ["KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"]


# --- The demo -----------------------------------------------------------------------------------


def test_render_report_makes_the_reviews_and_the_letter_from_the_demo(settings, tmp_path):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    assert BoardDocument.objects.filter(approved_at__isnull=True).count() == 2

    out = {}
    for kind, year in (("interim", 2019), ("final", 2020), ("awards", 2019)):
        path = tmp_path / f"{kind}.pdf"
        call_command(
            "render_report", kind, "--year", str(year), "--out", str(path), stdout=StringIO()
        )
        out[kind] = _layout(path.read_bytes())

    for kind in ("interim", "final"):
        for heading in SECTIONS:
            assert heading in out[kind]
        assert "Nơi nhận:" in out[kind] and "DỰ THẢO" in out[kind]
        assert re.search(r"Kon Tum, ngày\s+tháng\s+năm \d{4}", out[kind])
    assert "phát huy nội lực của hộ nghèo" in out["interim"]  # the demo's draft, printed
    assert "07/2021/NĐ-CP" in out["final"]
    assert "TỜ TRÌNH" in out["awards"] and re.search(r"ngày\s+tháng\s+năm", out["awards"])


# --- The Celery job and the documents page ------------------------------------------------------


def test_the_job_renders_a_review_and_a_new_text_makes_a_new_file(
    campaign, leader, board_staff, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from reports.models import JobState
    from reports.services import jobs

    def ask():
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.report_request(user=leader, kind="interim", params={"year": 2019})
        job.refresh_from_db()
        assert job.state == JobState.DONE
        with default_storage.open(job.file.name, "rb") as handle:
            return job, _layout(handle.read())

    first, text = ask()
    assert first.params["filename"] == "bao-cao-so-ket-2019.pdf"
    assert "Sơ kết phong trào thi đua" in text and "DỰ THẢO" in text

    _write(campaign, "interim", 2019, board_staff)  # the Board's text is an input of the paper
    second, text = ask()

    assert second.fingerprint != first.fingerprint
    assert TEXTS["lessons"] in text


def test_the_documents_page_offers_the_reviews_to_leaders_and_links_the_boards_pages(
    client, campaign, leader, unit_officer
):
    client.force_login(leader)
    page = client.get(reverse("documents:list")).content.decode()
    assert "Báo cáo sơ kết phong trào" in page and "Báo cáo tổng kết phong trào" in page
    assert reverse("documents:board-list") in page

    client.force_login(unit_officer)
    response = client.post(reverse("documents:ask"), {"kind": "final", "final-year": 2020})
    assert response.status_code == 404
