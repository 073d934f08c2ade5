"""Ranking inside each emulation bloc, on the page and in Excel; the Board and leaders read."""

from dataclasses import dataclass

from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from campaigns import exports
from campaigns import ranking as ranking_module
from campaigns.board.guards import board_page, period_or_404
from campaigns.ranking import BlocRanking, RankedUnit
from kontum_poverty.http import AuthenticatedRequest
from units import access


@dataclass
class BlocView:
    ranking: BlocRanking
    rule: str
    ranked: list[RankedUnit]
    unranked: list[tuple[RankedUnit, str]]


def bloc_views(rankings: list[BlocRanking]) -> list[BlocView]:
    labels = ranking_module.state_labels()
    return [
        BlocView(
            ranking=r,
            rule=ranking_module.tie_break_rule(r.main_group),
            ranked=r.ranked,
            unranked=[(row, labels[row.state]) for row in r.rows if row.rank is None],
        )
        for r in rankings
    ]


@board_page
@require_http_methods(["GET", "HEAD", "POST"])
def ranking(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Each bloc's ranking with classifications, tie notes and the rule that decided them."""
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET", "HEAD"])
    period = period_or_404(period_pk)
    return render(
        request,
        "campaigns/board/ranking.html",
        {
            "period": period,
            "campaign": period.campaign,
            "blocs": bloc_views(ranking_module.bloc_rankings(period=period)),
            "can_read": True,
            "can_act": access.is_board(request.user),
            "can_review": access.reads_board_pages(request.user),
            "tab": "ranking",
        },
    )


@board_page
@require_http_methods(["GET", "HEAD", "POST"])
def ranking_export(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """The ranking and the award proposals as an .xlsx file."""
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET", "HEAD"])
    period = period_or_404(period_pk)
    response = HttpResponse(exports.board_workbook(period=period), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(period)}"'
    response["Cache-Control"] = "private, no-store"
    return response
