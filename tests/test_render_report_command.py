"""`manage.py render_report` makes the same documents in this process, without a worker."""

import pytest
from django.core.management import CommandError, call_command

from reports.models import ReportJob
from tests.pdf_tools import pdf_fonts, pdf_text
from tests.test_board_ranking import bloc_build, member, report
from tests.test_pdf_province import _province

pytestmark = pytest.mark.django_db


def test_the_province_report_is_written_to_the_file(tmp_path, capsys):
    _province(districts=2, communes=3)
    out = tmp_path / "bao-cao-2019.pdf"

    call_command("render_report", "province", "--year", "2019", "--out", str(out))

    content = out.read_bytes()
    text = pdf_text(content)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "BÁO CÁO" in text and "Phụ lục" in text  # the commune annex is merged in
    assert all(font.startswith("Report-Serif") for font in pdf_fonts(content))
    assert "pages" in capsys.readouterr().out
    assert not ReportJob.objects.exists()  # no job row, no worker


def test_a_units_sheet_and_the_award_list_are_written(tmp_path):
    b = bloc_build()
    report(b, member(b, "Huyện Đắk Glei", code="610"))

    call_command(
        "render_report", "unit", "--year", "2019", "--unit", "610", "--out", str(tmp_path / "u.pdf")
    )
    call_command("render_report", "awards", "--year", "2019", "--out", str(tmp_path / "a.pdf"))

    assert "THÔNG BÁO" in pdf_text((tmp_path / "u.pdf").read_bytes())
    assert "PĐG" not in pdf_text((tmp_path / "u.pdf").read_bytes())
    assert "Huyện Đắk Glei" in pdf_text((tmp_path / "u.pdf").read_bytes())
    assert "TỜ TRÌNH" in pdf_text((tmp_path / "a.pdf").read_bytes())
    assert "DANH SÁCH" in pdf_text((tmp_path / "a.pdf").read_bytes())


def test_a_report_that_cannot_exist_is_refused_with_a_message(tmp_path):
    with pytest.raises(CommandError):
        call_command("render_report", "awards", "--year", "1999", "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="--unit"):
        call_command("render_report", "unit", "--year", "2019", "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
