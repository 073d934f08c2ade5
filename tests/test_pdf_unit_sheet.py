"""A unit's evaluation sheet on paper: figures, criterion tree, verdict, the Board's comments."""

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from campaigns.models import StepAction, Submission, SubmissionStatus
from indicators.models import Measure
from reports.documents import document_for
from reports.pdf import render_with_annex
from tests.factories import (
    CriterionFactory,
    CriterionScoreFactory,
    IndicatorFactory,
    ModelResultFactory,
    PovertyModelFactory,
    RegisteredTargetFactory,
    RegistrationFactory,
    ReportedValueFactory,
    SubmissionFactory,
    SubmissionStepFactory,
    UserFactory,
)
from tests.pdf_tools import pdf_fonts, pdf_page_size_mm, pdf_page_texts, pdf_text
from tests.test_board_ranking import Bloc, bloc_build, member, report
from units.models import Unit

pytestmark = pytest.mark.django_db

ON = "2026-11-27"
EVIL_COMMENT = 'Xem lại <img src="file:///etc/passwd"> và <b>số liệu</b>'


@dataclass
class Sheet:
    b: Bloc
    unit: Unit
    submission: Submission

    def params(self) -> dict:
        return {"year": self.b.period.year, "unit": self.unit.code, "date": ON}


def sheet_build(*, status: str = SubmissionStatus.ACCEPTED) -> Sheet:
    """Huyện Đắk Glei's 2019 report: commitments, a rate, a model, points and the Board's words."""
    b = bloc_build()
    unit = member(b, "Huyện Đắk Glei", code="610")
    # Points: 1.1 → 27,5 and 1.2 → 27,5 (55 on the main group), 2 → 37,5: 92,5 in all.
    submission = report(b, unit, main="55", other="37.5", status=status)
    submission.fund_mobilised_vnd = 1_234_567_890
    submission.narrative = "Huyện đã triển khai <b>đầy đủ</b> các nội dung phong trào."
    submission.save(update_fields=["fund_mobilised_vnd", "narrative"])
    registration = RegistrationFactory(
        period=b.period,
        unit=unit,
        fund_pledge_vnd=1_000_000_000,
        sponsorship_commitment="Đỡ đầu xã Đắk Nhoong",
        other_commitments="Hỗ trợ 30 nhà ở cho hộ nghèo",
    )
    labour = IndicatorFactory(
        campaign=b.campaign,
        code="LABOUR",
        name="Tỷ lệ lao động qua đào tạo",
        measure=Measure.RATE,
        target_low=52,
        order=6,
    )
    RegisteredTargetFactory(registration=registration, indicator=labour, value=Decimal("55.5"))
    ReportedValueFactory(
        submission=submission, indicator=labour, numerator=5_230, denominator=10_000
    )
    model = PovertyModelFactory(unit=unit, name="Mô hình <b>nuôi bò</b> sinh sản", start_year=2019)
    ModelResultFactory(
        model=model,
        submission=submission,
        participating_households=40,
        escaped_households=7,
        average_income_vnd=31_500_000,
    )
    # The Board's words: one score justified, one return with a reason and a field comment.
    score = submission.scores.get(criterion=b.other)
    score.board_points = Decimal("36.5")
    score.board_justification = EVIL_COMMENT
    score.save(update_fields=["board_points", "board_justification"])
    SubmissionStepFactory(
        submission=submission,
        from_status=SubmissionStatus.SUBMITTED,
        to_status=SubmissionStatus.RETURNED,
        action=StepAction.RETURN,
        by=UserFactory(board=True),
        comment=EVIL_COMMENT,
        field_comments={"narrative": "<b>Bổ sung</b> kết quả năm"},
    )
    return Sheet(b=b, unit=unit, submission=submission)


def render(sheet: Sheet, lang: str = "vi"):
    with translation.override(lang):
        doc = document_for(kind="unit", params=sheet.params())
        return doc, render_with_annex(doc.main_html(), doc.annex())


def test_the_sheet_shows_the_units_figures_the_vietnamese_way():
    sheet = sheet_build()

    _doc, pdf = render(sheet)

    text = pdf_text(pdf.content)
    assert "Huyện Đắk Glei" in text
    assert "1.000.000.000" in text  # the pledge
    assert "1.234.567.890" in text  # what the unit mobilised
    assert "123,5 %" in text  # the fund against the pledge
    assert "55,5 %" in text  # the commitment on LABOUR
    assert "52,3 %" in text  # the result: 5.230 of 10.000
    assert "5.230" in text and "10.000" in text
    assert "31.500.000" in text  # the model's average income
    assert "Tỷ lệ lao động qua đào tạo" in text
    assert "Khối các huyện, thành phố" in text


def test_the_criterion_tree_has_subtotals_and_totals():
    sheet = sheet_build()

    _doc, pdf = render(sheet)

    text = pdf_text(pdf.content)
    # Group 1 (60 points) sums its leaves: 55 by the unit, 55 by the Board.
    assert "1 Kết quả thực hiện mục tiêu 60 55 55" in text
    # Criterion 2: the unit gave itself 37,5, the Board 36,5; totals 100, 92,5 and 91,5.
    assert "2 Công tác tuyên truyền 40 37,5 36,5" in text
    assert "100 92,5 91,5" in text


def test_an_accepted_sheet_gives_classification_and_rank():
    sheet = sheet_build()

    _doc, pdf = render(sheet, lang="en")

    text = pdf_text(pdf.content)
    assert "Excellent" in text  # 91.5 points on the 85 threshold of the factory campaign
    assert "Rank 1 of 1 in Khối các huyện, thành phố" in text
    assert "Not yet decided" not in text
    assert "NOTICE" in text  # a document type of Decree 30, not an invented "sheet"
    # The clerk dates the signed notice: day and month are left blank, the year is printed.
    assert re.search(r"Kon Tum, day\s+month\s+year 2026", " ".join(pdf_page_texts(pdf.content)))
    assert "27" not in pdf_text(pdf.content, last=1).split("NOTICE")[0]


def test_a_sheet_not_accepted_yet_says_so_instead_of_failing():
    sheet = sheet_build(status=SubmissionStatus.SUBMITTED)

    _doc, pdf = render(sheet, lang="en")

    text = pdf_text(pdf.content)
    assert "The Board has not accepted this report yet" in text
    assert text.count("Not yet decided") == 2  # classification and rank
    assert "Excellent" not in text


def test_a_report_with_nothing_scored_has_no_totals_yet():
    b = bloc_build()
    unit = member(b, "Huyện Đắk Glei", code="610")
    SubmissionFactory(period=b.period, unit=unit)  # a draft: no criterion scored yet

    with translation.override("en"):
        html = document_for(kind="unit", params={"year": 2019, "unit": "610"}).main_html()

    assert "None" not in html
    assert re.search(r'<td class="num" id="board-total">\s*—\s*</td>', html)


def test_text_typed_by_users_is_printed_as_text_never_as_markup():
    sheet = sheet_build()

    doc, pdf = render(sheet)

    html = doc.main_html()
    assert "<img src" not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    text = pdf_text(pdf.content)
    assert '<img src="file:///etc/passwd">' in text  # the score justification and the return
    assert text.count('<img src="file:///etc/passwd">') == 2
    assert "<b>số liệu</b>" in text
    assert "<b>Bổ sung</b> kết quả năm" in text  # a comment on a field
    assert "Mô hình <b>nuôi bò</b> sinh sản" in text  # a model name
    assert "<b>đầy đủ</b>" in text  # the narrative


def test_the_sheet_is_an_a4_document_in_the_report_font():
    sheet = sheet_build()

    doc, pdf = render(sheet)

    assert pdf_page_size_mm(pdf.content) == (210.0, 297.0)
    fonts = pdf_fonts(pdf.content)
    assert fonts and all(name.startswith("Report-Serif") for name in fonts)
    assert 2 <= pdf.pages <= 5
    assert doc.annex() is None
    assert doc.filename() == "phieu-danh-gia-2019-610.pdf"


def test_a_year_that_does_not_exist_is_unavailable():
    sheet = sheet_build()
    params = {**sheet.params(), "year": 2031}

    with pytest.raises(ValidationError) as excinfo:
        document_for(kind="unit", params=params)

    assert excinfo.value.code == "unavailable"


@pytest.mark.parametrize("unit_code", ["611", "no-such-unit", ""])
def test_a_unit_without_a_report_for_the_year_is_unavailable(unit_code):
    sheet = sheet_build()
    member(sheet.b, "Huyện Ngọc Hồi", code="611")  # in the bloc, but no report

    with pytest.raises(ValidationError) as excinfo:
        document_for(kind="unit", params={**sheet.params(), "unit": unit_code})

    assert excinfo.value.code == "unavailable"


def _queries_to_build(sheet: Sheet) -> int:
    with CaptureQueriesContext(connection) as queries, translation.override("vi"):
        document_for(kind="unit", params=sheet.params()).main_html()
    return len(queries)


def test_building_the_sheet_costs_the_same_queries_with_more_criteria_and_units(
    django_assert_max_num_queries,
):
    sheet = sheet_build()
    few = _queries_to_build(sheet)

    # A bigger rubric, more units in the bloc, more models, steps and commitments.
    for n in range(6):
        criterion = CriterionFactory(
            bloc=sheet.b.bloc, code=f"3.{n}", name=f"Tiêu chí thêm {n}", max_points=5, order=10 + n
        )
        CriterionScoreFactory(
            submission=sheet.submission, criterion=criterion, self_points=4, board_points=3
        )
        other = member(sheet.b, f"Huyện Thử {n}")
        report(sheet.b, other, main="40", other="30")
        model = PovertyModelFactory(unit=sheet.unit, name=f"Mô hình thêm {n}")
        ModelResultFactory(model=model, submission=sheet.submission)
        SubmissionStepFactory(
            submission=sheet.submission,
            from_status=SubmissionStatus.SUBMITTED,
            to_status=SubmissionStatus.RETURNED,
            action=StepAction.RETURN,
            by=UserFactory(board=True),
            comment=f"Lần trả lại {n}",
            field_comments={"2": "Thiếu minh chứng"},
        )

    with django_assert_max_num_queries(few), translation.override("vi"):
        html = document_for(kind="unit", params=sheet.params()).main_html()
    assert "Tiêu chí thêm 5" in html and "Mô hình thêm 5" in html and "Lần trả lại 5" in html


def test_asking_for_a_sheet_checks_it_exists_without_computing_it(django_assert_max_num_queries):
    from reports.documents import document_filename

    sheet = sheet_build()
    with django_assert_max_num_queries(2):
        name = document_filename(kind="unit", params=sheet.params())
    assert name == document_for(kind="unit", params=sheet.params()).filename()
    with pytest.raises(ValidationError) as excinfo:
        document_filename(kind="unit", params={**sheet.params(), "unit": "611"})
    assert excinfo.value.code == "unavailable"
