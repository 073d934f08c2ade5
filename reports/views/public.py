"""The public progress page: province figures from accepted reports and official statistics,
for anyone and for the provincial e-portal, which alone may frame it (`PUBLIC_EMBED_ORIGINS`)."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from indicators import progress
from indicators.imports import districts
from reports import charts, selectors
from reports.views.dashboard import CACHE_SECONDS, YEAR, DashboardPage, clean_param


def public_page(*, year: str = "") -> DashboardPage:
    """The province's figures for the public: accepted reports and official statistics only."""
    province = selectors.public_province()
    campaign = selectors.current_campaign()
    if province is None or campaign is None:
        raise Http404
    years = selectors.campaign_years(campaign=campaign)
    chosen = selectors.pick_year(years=years, requested=year)
    indicators = progress.campaign_indicators(campaign=campaign)
    overview = progress.progress_overview(
        campaign=campaign,
        scope=province,
        year=chosen,
        include_submitted=False,
        indicators=indicators,
    )
    plans = selectors.indicator_roadmaps(indicators=indicators, scope=province)
    page = DashboardPage(
        title=_("Progress of %(scope)s, %(year)s") % {"scope": province.name, "year": chosen},
        campaign=campaign,
        scope=province,
        year=chosen,
        years=years,
        overview=overview,
        cards=selectors.indicator_cards(overview, plans, indicators),
        as_of=progress.figures_as_of(scope=province),
        deprivation=selectors.deprivation_section(campaign=campaign, scope=province, year=chosen),
    )
    page.poverty_chart = charts.line_chart(
        title=_("Poverty rate by year"),
        points=[(p.year, p.poverty_rate) for p in overview.poverty],
        width=640,
        height=200,
    )
    return page


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
    year = clean_param(request.GET.get("year"), YEAR)
    key = ":".join(["public", year, get_language() or "", progress.figures_key()])

    def body() -> str:
        page = public_page(year=year)
        unconfirmed = districts.figures_unconfirmed(year=page.year, scope=page.scope)
        return render_to_string(
            "public/_progress_body.html",
            {"page": page, "unconfirmed": unconfirmed},
            request=request,
        )

    cached = progress.computed_once(key, body, timeout=CACHE_SECONDS)
    return _embeddable_by_the_portal(render(request, "public/progress.html", {"body": cached}))
