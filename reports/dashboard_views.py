"""The leaders' dashboard, its .xlsx exports, the data behind a figure, and the public page.

Rendered dashboard bodies are cached. The key holds everything that changes what a page shows:
who may see what (all units with or without the Board's switch, or one officer's unit), the
scope, year, indicator, whether unaccepted reports are included, the language and
`progress.figures_key()`, which moves when the Board accepts a report or an admin imports.
Access is checked before an entry is first stored, and an officer's entries carry the officer's
unit, so no one is served a page they could not get.

The public page may be framed by the provincial e-portal only (`PUBLIC_EMBED_ORIGINS`).
"""

import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from indicators import progress
from kontum_poverty.http import AuthenticatedRequest
from reports import dashboard, exports

CACHE_SECONDS = 600
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
# Only a plausible year reaches a cache key: anything else shows the default year, and must
# share its entry rather than let anyone force an uncached render by varying ?year=.
_YEAR = re.compile(r"^20\d\d$")


def _clean(value: str | None, pattern: re.Pattern[str] = _CODE) -> str:
    return value if value and pattern.match(value) else ""


def _request_params(request: HttpRequest) -> dict[str, str]:
    return {
        "year": _clean(request.GET.get("year"), _YEAR),
        "indicator": _clean(request.GET.get("indicator")),
        "submitted": "1" if request.GET.get("submitted") == "1" else "",
    }


def _page(
    request: AuthenticatedRequest, unit_id: int | None, *, with_sources: bool = False
) -> dashboard.DashboardPage:
    params = _request_params(request)
    return dashboard.dashboard_page(
        user=request.user,
        unit_id=unit_id,
        year=params["year"],
        indicator_code=params["indicator"],
        include_submitted=params["submitted"] == "1",
        with_sources=with_sources,
    )


@login_required
@require_safe
def dashboard_view(request: AuthenticatedRequest, unit_id: int | None = None) -> HttpResponse:
    user = request.user
    params = _request_params(request)
    # The Board's pages carry the switch to include unaccepted reports; a leader's do not.
    if dashboard.may_include_submitted(user):
        who = "board"
    elif dashboard.may_see_everything(user):
        who = "all"
    else:
        who = f"officer-{user.unit_id}"
    if params["submitted"] and not dashboard.may_include_submitted(user):
        params["submitted"] = ""
    key = ":".join(
        [
            "dashboard",
            who,
            str(unit_id or "-"),
            params["year"],
            params["indicator"],
            params["submitted"],
            get_language() or "",
            progress.figures_key(),
        ]
    )
    cached = cache.get(key)
    if cached is None:
        page = _page(request, unit_id)  # raises 404 for a scope the user may not see
        body = render_to_string("reports/_dashboard_body.html", {"page": page}, request=request)
        cached = {"title": page.title, "body": body}
        cache.set(key, cached, CACHE_SECONDS)
    return render(request, "reports/dashboard.html", cached)


@login_required
@require_safe
def dashboard_export(request: AuthenticatedRequest, unit_id: int, table: str) -> HttpResponse:
    if table not in exports.DASHBOARD_TABLES:
        raise Http404
    page = _page(request, unit_id)
    title, headers, rows = exports.dashboard_table(page=page, table=table)
    filename = f"{table}-{page.scope.code}-{page.year}.xlsx"
    note = _("Figures as of %(date)s.") % {"date": page.as_of_text} if page.as_of_text else ""
    if page.include_submitted:
        note += " " + _("Includes reports submitted but not yet accepted by the Board.")
    return exports.xlsx_response(
        filename=filename, title=title, headers=headers, rows=rows, note=note.strip()
    )


@login_required
@require_safe
def dashboard_sources(request: AuthenticatedRequest, unit_id: int) -> HttpResponse:
    page = _page(request, unit_id, with_sources=True)
    return render(request, "reports/dashboard_sources.html", {"page": page})


# The provincial e-portal embeds the public page; no other site may frame it.
PUBLIC_EMBED_ORIGINS = ("https://kontum.gov.vn", "https://*.kontum.gov.vn")


def _embeddable_by_the_portal(response: HttpResponse) -> HttpResponse:
    # X-Frame-Options has no allow-list; browsers obey frame-ancestors instead when it is sent.
    origins = getattr(settings, "PUBLIC_EMBED_ORIGINS", PUBLIC_EMBED_ORIGINS)
    response["Content-Security-Policy"] = "frame-ancestors " + " ".join(["'self'", *origins])
    return response


@xframe_options_exempt
@require_safe
def public_progress(request: HttpRequest) -> HttpResponse:
    """Province figures for the e-portal, from accepted reports and official statistics only."""
    year = _clean(request.GET.get("year"), _YEAR)
    key = ":".join(["public", year, get_language() or "", progress.figures_key()])
    cached = cache.get(key)
    if cached is None:
        page = dashboard.public_page(year=year)
        cached = render_to_string("public/_progress_body.html", {"page": page}, request=request)
        cache.set(key, cached, CACHE_SECONDS)
    return _embeddable_by_the_portal(render(request, "public/progress.html", {"body": cached}))
