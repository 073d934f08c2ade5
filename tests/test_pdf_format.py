"""The official document format of Decree 30/2020/NĐ-CP, read back from a rendered PDF."""

import datetime
import re
import subprocess
import tempfile

import pytest
from django.template import engines
from django.utils import translation

from reports.documents import doc_header, place_blank_date, place_date
from reports.documents.signing import board_issuer
from reports.pdf import pdf_render
from tests.pdf_tools import pdf_fonts, pdf_page_size_mm, pdf_page_texts, pdf_text

MM = 72 / 25.4


def _words(content: bytes) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, word) for every word, in points."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        html = subprocess.run(  # noqa: S603 - poppler on a file this test wrote
            ["pdftotext", "-bbox", file.name, "-"],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    words, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', line
        )
        if match:
            x0, y0, x1, y1 = map(float, match.groups()[:4])
            words.append((page, x0, y0, x1, y1, match.group(5)))
    return words


@pytest.fixture(scope="module")
def document() -> bytes:
    with translation.override("vi"):
        doc = doc_header(
            kind_title="Báo cáo",
            title="Kết quả phong trào",
            subtitle="Kết quả thực hiện phong trào năm 2019",
            on=datetime.date(2020, 2, 5),
            recipients=["UBND tỉnh"],
            issuer=board_issuer(),
            draft=False,
        )
        template = engines["django"].from_string(
            '{% extends "reports/pdf/base.html" %}{% block content %}'
            + "<p>Nội dung báo cáo về giảm nghèo bền vững của các huyện, thành phố.</p>" * 60
            + '{% include "reports/pdf/_signature.html" %}{% endblock content %}'
        )
        return pdf_render(template.render({"doc": doc})).content


def test_paper_is_a4_portrait(document):
    assert pdf_page_size_mm(document) == (210.0, 297.0)


def test_the_header_has_the_issuing_body_and_the_national_title(document):
    first_page = pdf_text(document, last=1)
    assert "SỞ NỘI VỤ TỈNH KON TUM" in first_page
    assert "BAN THI ĐUA - KHEN THƯỞNG" in first_page
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first_page
    assert "Độc lập - Tự do - Hạnh phúc" in first_page
    assert re.search(r"Số:\s+/BC-BTĐKT", first_page)
    # The clerk writes the day and month when the paper is signed; the year is the year of issue.
    assert re.search(r"Kon Tum, ngày\s+tháng\s+năm 2020", pdf_page_texts(document)[0])
    assert "05" not in first_page
    assert "BÁO CÁO" in first_page  # the kind of document, in capitals


def test_place_and_date_are_in_italics_and_all_text_in_the_shipped_serif(document):
    assert pdf_fonts(document) == {
        "Report-Serif",
        "Report-Serif-Bold",
        "Report-Serif-Italic",
        "Report-Serif-Bold-Italic",
    }


def test_pages_are_numbered_from_page_two_at_the_top(document):
    pages = pdf_page_texts(document)
    assert len(pages) >= 2
    assert not pages[0].strip().startswith("1 ")
    for number, text in enumerate(pages[1:], start=2):
        assert text.strip().split()[0] == str(number)
    words = _words(document)
    number_on_two = next(w for w in words if w[0] == 2 and w[5] == "2")
    assert number_on_two[2] < 20 * MM  # in the top margin
    centre = (number_on_two[1] + number_on_two[3]) / 2
    assert abs(centre - (30 + (210 - 45) / 2) * MM) < 3 * MM  # centred on the text block


def test_margins_are_30_left_15_right_20_top_and_bottom(document):
    body = [w for w in _words(document) if w[0] == 2 and w[5] != "2"]
    assert min(w[1] for w in body) == pytest.approx(30 * MM + 1 * 28.35, abs=2)  # 1 cm indent
    assert max(w[3] for w in body) <= (210 - 15) * MM + 0.5
    assert min(w[2] for w in body) >= 20 * MM - 0.5
    assert max(w[4] for w in body) <= (297 - 20) * MM + 0.5


def test_days_below_ten_and_months_one_and_two_take_a_zero():
    with translation.override("vi"):
        assert place_date(on=datetime.date(2020, 2, 5)).endswith("ngày 05 tháng 02 năm 2020")
        assert place_date(on=datetime.date(2019, 12, 31)).endswith("ngày 31 tháng 12 năm 2019")
        assert place_date(on=datetime.date(2019, 3, 9)).endswith("ngày 09 tháng 3 năm 2019")


def test_the_blank_date_leaves_room_for_the_day_and_month():
    with translation.override("vi"):
        line = place_blank_date(year=2020)
    assert re.fullmatch(r"Kon Tum, ngày\s{3,}tháng\s{3,}năm 2020", line)


def test_a_draft_says_so_on_every_page():
    with translation.override("vi"):
        doc = doc_header(
            kind_title="Báo cáo",
            title="Dự thảo",
            on=datetime.date(2020, 2, 5),
            issuer=board_issuer(),
            draft=True,
        )
        template = engines["django"].from_string(
            '{% extends "reports/pdf/base.html" %}{% block content %}'
            + "<p>Nội dung báo cáo về giảm nghèo bền vững của các huyện, thành phố.</p>" * 60
            + "{% endblock content %}"
        )
        content = pdf_render(template.render({"doc": doc})).content

    pages = pdf_page_texts(content)
    assert len(pages) >= 2
    assert all("DỰ THẢO" in page for page in pages)
