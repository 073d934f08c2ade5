"""The ranking and the proposals as a real .xlsx file, opened again with openpyxl."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from campaigns.models import AwardKind, Classification, ProposalStatus, SubmissionStatus
from campaigns.ranking import tie_break_rule
from tests.factories import AwardProposalFactory, PeriodFactory
from tests.test_board_ranking import VN_TZ, bloc_build, member, report

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_LIKE = ['=HYPERLINK("http://evil.example","Bấm vào")', "+1", "-2", "@x", "\tx"]


def url(period) -> str:
    return reverse("board:export", kwargs={"period_pk": period.pk})


def download(client, user, period):
    client.force_login(user)
    response = client.get(url(period))
    assert response.status_code == 200
    return response, load_workbook(io.BytesIO(response.content))


def rows(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_file_holds_the_ranking_with_the_rule_and_the_proposals(client, board_staff):
    b = bloc_build()
    top = member(b, "Thành phố Kon Tum", code="608")
    second = member(b, "Huyện Đắk Hà", code="615")
    waiting = member(b, "Huyện Sa Thầy", code="616")
    report(b, top, main=58, other=37, submitted_at=datetime(2020, 1, 5, tzinfo=VN_TZ))
    report(b, second, main="52.5", other=30, submitted_at=datetime(2020, 1, 6, tzinfo=VN_TZ))
    report(b, waiting, status=SubmissionStatus.SUBMITTED)
    AwardProposalFactory(
        period=b.period,
        unit=top,
        award=AwardKind.FLAG,
        status=ProposalStatus.APPROVED,
        reason="Dẫn đầu khối",
        decision_number="456/QĐ-UBND",
        decision_date=date(2020, 3, 5),
    )

    response, book = download(client, board_staff, b.period)

    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        'attachment; filename="xep-hang-khen-thuong-3198ubnd-th-2019.xlsx"'
    )
    ranking, proposals = book.worksheets
    data = rows(ranking)
    body = [r for r in data if r[0] == b.bloc.name and r[2]]
    assert [(r[1], r[2], r[3], r[4]) for r in body] == [
        (1, "608", "Thành phố Kon Tum", 95),
        (2, "615", "Huyện Đắk Hà", Decimal("82.5")),
        (None, "616", "Huyện Sa Thầy", None),
    ]
    with translation.override("vi"):  # the download ran in the default language
        assert (body[0][5], body[1][5]) == (
            str(Classification.EXCELLENT.label),
            str(Classification.GOOD.label),
        )
        flag = str(AwardKind.FLAG.label)
        rule = tie_break_rule(b.main)
    assert body[2][5] is None and body[2][7]  # unranked: no classification, a state
    assert isinstance(body[1][4], float | int)  # a number, not text
    assert (b.bloc.name, rule) in [r[:2] for r in data]

    proposal_rows = rows(proposals)
    (approved,) = [r for r in proposal_rows if r[0] == "608"]
    assert approved[1] == "Thành phố Kon Tum"
    assert approved[2] == flag
    assert approved[4:6] == ("Dẫn đầu khối", "456/QĐ-UBND")
    assert approved[6] == datetime(2020, 3, 5)
    assert approved[7] == "Nhân dân và cán bộ thành phố Kon Tum"
    date_cell = next(c for row in proposals.iter_rows() for c in row if c.value == approved[6])
    assert date_cell.number_format == "DD/MM/YYYY"


def test_tie_notes_are_in_the_file(client, board_staff):
    b = bloc_build()
    earlier = member(b, "Huyện Đắk Glei", code="610")
    later = member(b, "Huyện Kon Rẫy", code="618")
    report(b, earlier, submitted_at=datetime(2020, 1, 5, tzinfo=VN_TZ))
    report(b, later, submitted_at=datetime(2020, 1, 9, tzinfo=VN_TZ))

    _response, book = download(client, board_staff, b.period)

    notes = {r[2]: r[8] for r in rows(book.worksheets[0]) if r[2] in ("610", "618")}
    assert "Huyện Kon Rẫy" in notes["610"]
    assert "Huyện Đắk Glei" in notes["618"]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_text_that_could_run_as_a_formula_is_escaped_in_every_sheet(client, board_staff, text):
    b = bloc_build(name=text)
    unit = member(b, text, code="699")
    report(b, unit, main=58, other=37)
    AwardProposalFactory(
        period=b.period,
        unit=unit,
        award=AwardKind.FLAG,
        status=ProposalStatus.APPROVED,
        reason=text,
        decision_number=text,
        decision_date=date(2020, 3, 5),
    )

    _response, book = download(client, board_staff, b.period)

    ranking, proposals = book.worksheets
    (ranked,) = [r for r in rows(ranking) if r[2] == "699"]
    assert ranked[0] == "'" + text  # the bloc's name
    assert ranked[3] == "'" + text  # the unit's name
    (proposed,) = [r for r in rows(proposals) if r[0] == "699"]
    assert proposed[1] == proposed[4] == proposed[5] == "'" + text
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t")), cell.coordinate


def test_an_empty_year_still_gives_a_file_with_both_sheets(client, leader):
    period = PeriodFactory(year=2020)

    _response, book = download(client, leader, period)

    assert len(book.worksheets) == 2


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["unit_officer", "outsider", "admin_user"])
def test_only_the_board_and_leaders_download_the_file(client, request, persona):
    period = PeriodFactory()
    client.force_login(request.getfixturevalue(persona))

    assert client.get(url(period)).status_code == 403


def test_a_leader_downloads_the_file_but_cannot_post_to_it(client, leader):
    period = PeriodFactory()
    client.force_login(leader)

    assert client.get(url(period)).status_code == 200
    assert client.post(url(period)).status_code == 403
