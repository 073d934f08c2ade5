"""The Board's award proposal list on paper: units by award, with points, standing, achievements."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from campaigns.models import AwardKind, ProposalStatus, ReportingPeriod
from reports.documents import document_for
from reports.pdf import render_with_annex
from tests.factories import (
    AwardProposalFactory,
    ModelResultFactory,
    PeriodFactory,
    PovertyModelFactory,
)
from tests.pdf_tools import pdf_fonts, pdf_page_size_mm, pdf_text
from tests.test_board_ranking import Bloc, bloc_build, member, report
from units.models import Unit

pytestmark = pytest.mark.django_db

ON = "2026-11-27"


@dataclass
class Year:
    b: Bloc
    first: Unit  # 95 points, ranked first: the flag
    second: Unit  # 92,5 points, ranked second: the certificate
    rejected: Unit  # proposed, then rejected by the council

    @property
    def period(self) -> ReportingPeriod:
        return self.b.period

    def params(self) -> dict:
        return {"year": self.period.year, "date": ON}


@pytest.fixture
def year() -> Year:
    b = bloc_build()
    y = Year(
        b=b,
        first=member(b, "Huyện Đắk Hà"),
        second=member(b, "Thành phố Kon Tum"),
        rejected=member(b, "Huyện Sa Thầy"),
    )
    first = report(b, y.first, main=58, other=37)
    first.fund_mobilised_vnd = 1_234_567_890
    first.save(update_fields=["fund_mobilised_vnd"])
    report(b, y.second, main="55.5", other=37)
    report(b, y.rejected, main=45, other=30)
    model = PovertyModelFactory(unit=y.first, name="Mô hình trồng sâm dây")
    ModelResultFactory(
        model=model, submission=first, participating_households=62, escaped_households=9
    )
    AwardProposalFactory(
        period=b.period,
        unit=y.first,
        award=AwardKind.FLAG,
        reason="Dẫn đầu khối; nhân rộng mô hình trồng sâm dây.",
    )
    AwardProposalFactory(
        period=b.period,
        unit=y.second,
        award=AwardKind.CERTIFICATE,
        reason='Vận động <b>vượt</b> kế hoạch <img src="file:///etc/passwd">',
    )
    AwardProposalFactory(
        period=b.period,
        unit=y.rejected,
        award=AwardKind.CERTIFICATE,
        status=ProposalStatus.REJECTED,
        reason="Không đủ điều kiện.",
    )
    return y


def render(y: Year, lang: str = "vi"):
    with translation.override(lang):
        doc = document_for(kind="awards", params=y.params())
        return doc, render_with_annex(doc.main_html(), doc.annex())


def test_the_list_shows_each_proposed_unit_with_its_figures(year):
    _doc, pdf = render(year)

    text = pdf_text(pdf.content)
    assert "Huyện Đắk Hà" in text and "Thành phố Kon Tum" in text
    assert " 95 " in text and "92,5" in text  # total Board points, the Vietnamese way
    assert "1/3" in text and "2/3" in text  # rank among the bloc's accepted reports
    assert "Dẫn đầu khối; nhân rộng mô hình trồng sâm dây." in text
    assert "1.234.567.890" in text  # mobilised for the fund
    assert "Khối các huyện, thành phố" in text


def test_a_rejected_proposal_is_not_listed(year):
    _doc, pdf = render(year)

    text = pdf_text(pdf.content)
    assert "Huyện Sa Thầy" not in text
    assert "Không đủ điều kiện." not in text


def test_units_are_grouped_by_award_flag_first(year):
    _doc, pdf = render(year, lang="en")

    text = pdf_text(pdf.content)
    flag = text.index("Provincial People's Committee emulation flag (1 unit)")
    certificate = text.index(
        "Certificate of merit of the Chairman of the Provincial People's Committee (1 unit)"
    )
    assert flag < text.index("Huyện Đắk Hà") < certificate < text.index("Thành phố Kon Tum")
    assert "The Board proposes 2 units for awards" in text
    assert "Excellent" in text
    assert "Mobilised for the fund: 1,234,567,890 VND" in text
    assert "Households escaping poverty in its models: 9 of 62" in text


def test_an_approved_proposal_stays_with_its_decision(year):
    proposal = year.period.award_proposals.get(unit=year.first)
    proposal.status = ProposalStatus.APPROVED
    proposal.decision_number = "123/QĐ-UBND"
    proposal.decision_date = date(2020, 3, 2)
    proposal.save()

    _doc, pdf = render(year, lang="en")

    text = pdf_text(pdf.content)
    assert "Huyện Đắk Hà" in text
    assert "Approved: decision 123/QĐ-UBND of 02/03/2020" in text


def test_achievements_typed_by_the_board_are_printed_as_text(year):
    doc, pdf = render(year)

    assert "<img src" not in doc.main_html()
    text = pdf_text(pdf.content)
    assert 'Vận động <b>vượt</b> kế hoạch <img src="file:///etc/passwd">' in text


def test_an_empty_list_says_so_in_a_sentence():
    period = PeriodFactory(year=2019)

    with translation.override("en"):
        doc = document_for(kind="awards", params={"year": period.year, "date": ON})
        pdf = render_with_annex(doc.main_html(), doc.annex())

    text = pdf_text(pdf.content)
    assert "No collective has been proposed for an award for 2019 yet." in text  # the letter
    assert "The Board has proposed no unit for an award for 2019." in text  # its list
    assert pdf.pages == 2


def test_the_list_is_an_a4_document_in_the_report_font(year):
    doc, pdf = render(year)

    assert pdf_page_size_mm(pdf.content) == (210.0, 297.0)
    fonts = pdf_fonts(pdf.content)
    assert fonts and all(name.startswith("Report-Serif") for name in fonts)
    assert 2 <= pdf.pages <= 4
    assert doc.annex() is None
    assert doc.filename() == "to-trinh-khen-thuong-2019.pdf"


def test_a_year_that_does_not_exist_is_unavailable(year):
    with pytest.raises(ValidationError) as excinfo:
        document_for(kind="awards", params={"year": 2031, "date": ON})

    assert excinfo.value.code == "unavailable"


def _queries_to_build(y: Year) -> int:
    with CaptureQueriesContext(connection) as queries, translation.override("vi"):
        document_for(kind="awards", params=y.params()).main_html()
    return len(queries)


def test_building_the_list_costs_the_same_queries_with_more_proposals(
    year, django_assert_max_num_queries
):
    few = _queries_to_build(year)
    for n in range(5):
        unit = member(year.b, f"Huyện Thử {n}")
        report(year.b, unit, main=50, other=30)
        AwardProposalFactory(period=year.period, unit=unit, reason=f"Thành tích {n}")

    with django_assert_max_num_queries(few), translation.override("vi"):
        html = document_for(kind="awards", params=year.params()).main_html()
    assert "Thành tích 4" in html
