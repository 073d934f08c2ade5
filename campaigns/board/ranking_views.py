"""Ranking inside each emulation bloc, on the page and in Excel; the Board and leaders read."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from campaigns import ranking as ranking_module
from campaigns.board import exports
from campaigns.board.access import can_act, ensure_reader, period_or_404
from campaigns.ranking import BlocRanking, RankedUnit
from kontum_poverty.http import AuthenticatedRequest


@dataclass
class BlocView:
    ranking: BlocRanking
    rule: str
    ranked: list[RankedUnit]
    unranked: list[tuple[RankedUnit, str]]


def bloc_views(rankings: list[BlocRanking]) -> list[BlocView]:
    labels = exports.state_labels()
    return [
        BlocView(
            ranking=r,
            rule=ranking_module.tie_break_rule(r.main_group),
            ranked=r.ranked,
            unranked=[(row, labels[row.state]) for row in r.rows if row.rank is None],
        )
        for r in rankings
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ranking(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Each bloc's ranking with classifications, tie notes and the rule that decided them."""
    ensure_reader(request)
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
            "can_act": can_act(request.user),
            "can_review": request.user.is_board or request.user.is_leader,
            "tab": "ranking",
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ranking_export(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """The ranking and the award proposals as an .xlsx file."""
    ensure_reader(request)
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET", "HEAD"])
    period = period_or_404(period_pk)
    response = HttpResponse(exports.board_workbook(period=period), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(period)}"'
    response["Cache-Control"] = "private, no-store"
    return response
