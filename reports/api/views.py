"""The API's endpoints: thin views over the progress engine and the portal's selectors.

Public endpoints answer anyone, with an ETag from the figures' version (`progress.figures_key`)
so an unchanged answer costs a 304. Endpoints behind a token scope every row as the token's
account sees it on the pages, then by the token's unit.
"""

import abc
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, overload

from django.core.cache import cache
from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from campaigns import access as campaign_access
from campaigns import ranking as ranking_module
from campaigns.models import (
    AwardProposal,
    Campaign,
    CriterionScore,
    Evidence,
    ReportingPeriod,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from indicators import progress
from indicators.models import CommuneStatistics
from reports import selectors
from reports.api import serializers as s
from reports.api.permissions import (
    HasScope,
    ReadsBoardPages,
    reads_unaccepted,
    rows_for_token,
    token_of,
)
from reports.models import ApiScope
from units import access
from units.accounts.people.services import may_manage_accounts
from units.models import Unit, UnitFlag, UnitLevel, User

# Figures are cached per unit and year under the figures' version, like the dashboard's pages.
CACHE_SECONDS = 600


# --- Filters -----------------------------------------------------------------------------------

YEAR_PARAM = OpenApiParameter(
    "year", OpenApiTypes.INT, description="Only this year (e.g. 2019).", required=False
)
UNIT_PARAM = OpenApiParameter(
    "unit",
    OpenApiTypes.STR,
    description="Official unit code (statistics office): 62 for the province, 610 a district.",
    required=False,
)


def year_param(request: Request) -> int | None:
    raw = request.query_params.get("year")
    if raw in (None, ""):
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise exceptions.ValidationError({"year": _("The year must be written like 2019.")})
    return int(raw)


def unit_param(request: Request) -> Unit | None:
    code = request.query_params.get("unit")
    if code in (None, ""):
        return None
    unit = Unit.objects.filter(code=code).select_related("parent").first()
    if unit is None:
        raise exceptions.ValidationError(
            {"unit": _("No unit has the code %(code)s.") % {"code": code[:20]}}
        )
    return unit


def in_unit(queryset: QuerySet, unit: Unit | None, unit_field: str = "unit") -> QuerySet:
    """The unit asked for and the units under it."""
    if unit is None:
        return queryset
    return queryset.filter(progress.unit_subtree_q(unit, unit_field))


def current_campaign() -> Campaign:
    campaign = selectors.current_campaign()
    if campaign is None:
        raise exceptions.NotFound(_("No campaign has been set up yet."))
    return campaign


# --- Conditional answers -----------------------------------------------------------------------


class PublicView(generics.ListAPIView, abc.ABC):
    """Anyone may read; a token is accepted (and checked) but not needed."""

    permission_classes = [AllowAny]

    # Rows no figures' version follows (unit names, a year's deadline): the ETag is taken from
    # the answer itself, which then costs its queries but not its bytes.
    etag_from_content = False

    def version(self) -> str:
        """What moves whenever this answer can change."""
        return progress.figures_key()

    def last_modified(self) -> datetime | None:
        return None

    def etag(self, request: Request, content: str = "") -> str:
        renderer = getattr(request, "accepted_renderer", None)
        token = token_of(request)
        parts = [
            content or self.version(),
            request.get_full_path(),
            getattr(renderer, "format", ""),
            get_language() or "",
            # A token that reads unaccepted figures may see more under the same address.
            str(token.pk) if token else "-",
        ]
        return quote_etag(hashlib.sha256("|".join(parts).encode()).hexdigest()[:32])

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        answer = None
        if self.etag_from_content:
            answer = self.answer(request)
            etag = self.etag(request, json.dumps(answer.data, sort_keys=True, default=str))
        else:
            etag = self.etag(request)
        # Only If-None-Match is honoured: "as of" (Last-Modified) does not move when a target
        # is edited, the ETag does. Compared weakly (RFC 9110): a proxy that compresses the
        # answer may have marked the tag weak.
        sent = [
            tag.strip().removeprefix("W/")
            for tag in request.headers.get("If-None-Match", "").split(",")
        ]
        if etag in sent:
            response = Response(status=304)
        else:
            response = answer or self.answer(request)
            modified = self.last_modified()
            if modified is not None:
                response["Last-Modified"] = http_date(modified.timestamp())
        response["ETag"] = etag
        # What a token reads (unaccepted figures) must not be kept by shared caches.
        response["Cache-Control"] = (
            "private, max-age=0" if token_of(request) else "public, max-age=60"
        )
        return response

    @abc.abstractmethod
    def answer(self, request: Request) -> Response:
        """The answer itself; every public view defines it (this base only adds the caching)."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Accept", "Authorization"])
        return response

    def paginated(self, rows: Sequence[Any] | QuerySet, **context: Any) -> Response:
        page = self.paginate_queryset(rows)
        serializer = self.get_serializer_class()(
            page, many=True, context={**self.get_serializer_context(), **context}
        )
        return self.get_paginated_response(serializer.data)


class PrivateView(generics.ListAPIView):
    """Behind a token with `required_scope`; answers are never stored by caches on the way."""

    permission_classes = [HasScope]
    required_scope = ""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    @property
    def account(self) -> User:
        token = token_of(self.request)
        assert token is not None  # HasScope let no anonymous request in
        return token.account


# --- Public: the campaign, its targets, the figures, commune statistics, units ----------------


@extend_schema(tags=["public"], parameters=[YEAR_PARAM])
class CampaignList(PublicView):
    """The campaign (3198/UBND-TH and any later one), with its source document and years."""

    serializer_class = s.CampaignSerializer
    etag_from_content = True

    def answer(self, request: Request) -> Response:
        year = year_param(request)
        campaigns = Campaign.objects.prefetch_related(
            Prefetch("periods", queryset=ReportingPeriod.objects.order_by("year"))
        ).order_by("-issued_on", "-pk")
        if year is not None:
            campaigns = campaigns.filter(first_year__lte=year, last_year__gte=year)
        return self.paginated(campaigns)


@extend_schema(tags=["public"], parameters=[YEAR_PARAM, UNIT_PARAM])
class TargetList(PublicView):
    """The campaign's targets in the document's words, with baselines and yearly milestones.

    Milestones are the province's unless ?unit= names a district; ?year= keeps one year's."""

    serializer_class = s.TargetRowSerializer

    def answer(self, request: Request) -> Response:
        campaign = current_campaign()
        year = year_param(request)
        scope = unit_param(request) or selectors.public_province()
        if scope is None:
            raise exceptions.NotFound(_("The unit tree has not been loaded yet."))
        indicators = progress.campaign_indicators(campaign=campaign)
        plans = selectors.indicator_roadmaps(indicators=indicators, scope=scope)
        rows = [s.target_row_data(i, plans[i.pk], scope=scope, year=year) for i in indicators]
        return self.paginated(rows)


class FigureRows(Sequence[dict[str, Any]]):
    """Every target's figure for each (unit, year) pair, computed only for the page asked for.

    Each pair is one `progress_overview` call: the same call, with the same arguments, as the
    dashboard and the public page make for that unit and year."""

    def __init__(
        self,
        *,
        campaign: Campaign,
        pairs: list[tuple[Unit, int]],
        codes: list[str],
        include_submitted: bool,
    ) -> None:
        self.campaign = campaign
        self.pairs = pairs
        self.indicators = [
            i
            for i in progress.campaign_indicators(campaign=campaign)
            if not codes or i.code in codes
        ]
        self.include_submitted = include_submitted
        self.version = progress.figures_key()
        self._rows: dict[int, list[dict[str, Any]]] = {}

    def __len__(self) -> int:
        return len(self.pairs) * len(self.indicators)

    def _pair_rows(self, index: int) -> list[dict[str, Any]]:
        if index not in self._rows:
            scope, year = self.pairs[index]
            codes = ",".join(i.code for i in self.indicators)
            key = ":".join(
                [
                    "api-figures",
                    str(scope.pk),
                    str(year),
                    codes,
                    "1" if self.include_submitted else "0",
                    get_language() or "",
                    self.version,
                ]
            )
            rows = cache.get(key)
            if rows is None:
                overview = progress.progress_overview(
                    campaign=self.campaign,
                    scope=scope,
                    year=year,
                    include_submitted=self.include_submitted,
                    indicators=self.indicators,
                )
                as_of = progress.figures_as_of(scope=scope)
                rows = [
                    s.figure_data(
                        figure,
                        scope=scope,
                        as_of=as_of,
                        includes_unaccepted=self.include_submitted,
                    )
                    for figure in overview.indicators
                ]
                cache.set(key, rows, CACHE_SECONDS)
            self._rows[index] = rows
        return self._rows[index]

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        per_pair = len(self.indicators)
        return self._pair_rows(index // per_pair)[index % per_pair]


@extend_schema(
    tags=["public"],
    parameters=[
        YEAR_PARAM,
        UNIT_PARAM,
        OpenApiParameter(
            "indicator",
            OpenApiTypes.STR,
            description="Only this target (e.g. ROAD).",
            required=False,
        ),
        OpenApiParameter(
            "submitted",
            OpenApiTypes.BOOL,
            description="1: include reports not yet accepted (a token with unaccepted:read "
            "whose account sees them on the dashboard).",
            required=False,
        ),
    ],
)
class FigureList(PublicView):
    """The province's and each district's figure for every target and year: value, coverage,
    status and "as of", from accepted reports and official commune statistics only."""

    serializer_class = s.FigureSerializer

    def scopes(self, request: Request) -> list[Unit]:
        province = selectors.public_province()
        if province is None:
            raise exceptions.NotFound(_("The unit tree has not been loaded yet."))
        unit = unit_param(request)
        if unit is None:
            districts = progress.child_units(scope=province).order_by("code")
            return [province, *districts]
        if unit.level not in (UnitLevel.PROVINCE, UnitLevel.DISTRICT):
            raise exceptions.ValidationError(
                {"unit": _("Figures are published for the province and its districts.")}
            )
        return [unit]

    def include_submitted(self, request: Request) -> bool:
        if request.query_params.get("submitted") not in ("1", "true"):
            return False
        token = token_of(request)
        if token is None or not reads_unaccepted(request):
            raise exceptions.PermissionDenied(
                _("Figures from reports not yet accepted need a token with unaccepted:read.")
            )
        if not access.sees_unaccepted_figures(token.account):
            raise exceptions.PermissionDenied(
                _("Only the Board and administrators see figures not yet accepted.")
            )
        return True

    def last_modified(self) -> datetime | None:
        province = selectors.public_province()
        return progress.figures_as_of(scope=province) if province else None

    def answer(self, request: Request) -> Response:
        campaign = current_campaign()
        years = selectors.campaign_years(campaign=campaign)
        year = year_param(request)
        if year is not None:
            if year not in years:
                raise exceptions.ValidationError(
                    {"year": _("The campaign has no year %(year)s.") % {"year": year}}
                )
            years = [year]
        code = request.query_params.get("indicator", "")
        rows = FigureRows(
            campaign=campaign,
            pairs=[(scope, y) for y in years for scope in self.scopes(request)],
            codes=[code] if code else [],
            include_submitted=self.include_submitted(request),
        )
        if code and not rows.indicators:
            raise exceptions.ValidationError(
                {"indicator": _("The campaign has no target %(code)s.") % {"code": code[:20]}}
            )
        return self.paginated(rows)


@extend_schema(tags=["public"], parameters=[YEAR_PARAM, UNIT_PARAM])
class CommuneStatisticsList(PublicView):
    """Each commune's official statistics for a year, as imported and applied by the admin.

    ?unit= a district gives its communes, ?unit= a commune that commune alone."""

    serializer_class = s.CommuneStatisticsSerializer

    def rows(self, request: Request) -> QuerySet[CommuneStatistics]:
        rows = CommuneStatistics.objects.select_related("commune__parent")
        year = year_param(request)
        if year is not None:
            rows = rows.filter(year=year)
        return in_unit(rows, unit_param(request), "commune").order_by("year", "commune__code")

    def last_modified(self) -> datetime | None:
        return self.rows(self.request).aggregate(at=Max("updated_at"))["at"]

    def answer(self, request: Request) -> Response:
        return self.paginated(self.rows(request))


@extend_schema(tags=["public"], parameters=[YEAR_PARAM, UNIT_PARAM])
class UnitList(PublicView):
    """The unit tree with official codes; ?unit= gives that unit and the units under it, and
    ?year= the flags (especially difficult, border) in force that year."""

    serializer_class = s.UnitSerializer

    etag_from_content = True

    def answer(self, request: Request) -> Response:
        year = year_param(request) or timezone.localdate().year
        flags = UnitFlag.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__year__gte=year), valid_from__year__lte=year
        )
        units = in_unit(Unit.objects.select_related("parent"), unit_param(request), "pk")
        units = units.prefetch_related(Prefetch("flags", queryset=flags, to_attr="flags_in_year"))
        return self.paginated(units.order_by("code"))


# --- Behind a token ----------------------------------------------------------------------------


def _submissions(request: Request) -> QuerySet[Submission]:
    """The reports the token may read: accepted ones, others only with unaccepted:read."""
    rows = rows_for_token(Submission.objects.all(), request)
    if not reads_unaccepted(request):
        rows = rows.filter(status=SubmissionStatus.ACCEPTED)
    year = year_param(request)
    if year is not None:
        rows = rows.filter(period__year=year)
    return in_unit(rows, unit_param(request))


def _points_visible(user: User, submissions: Sequence[Submission]) -> dict[int, bool]:
    return {
        sub.pk: campaign_access.board_points_visible(user=user, submission=sub)
        for sub in submissions
    }


class _SubmissionRows(PrivateView, abc.ABC):
    """A list of rows that belong to reports the token may read."""

    submission_field = "submission"

    @abc.abstractmethod
    def base(self) -> QuerySet:
        """The rows of this kind; every subclass defines it (this base scopes them to reports)."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reports = _submissions(request)
        rows = self.base().filter(**{f"{self.submission_field}__in": reports.values("pk")})
        page = self.paginate_queryset(rows)
        assert page is not None
        subs = {row.submission.pk: row.submission for row in page}
        context = {
            **self.get_serializer_context(),
            "board_points_visible": _points_visible(self.account, list(subs.values())),
        }
        return self.get_paginated_response(
            self.get_serializer_class()(page, many=True, context=context).data
        )


@extend_schema(tags=["token"], parameters=[YEAR_PARAM, UNIT_PARAM])
class SubmissionList(PrivateView):
    """Units' yearly reports with their values (scope reports:read). Drafts and reports not yet
    accepted only with unaccepted:read, and only those the account sees on the pages."""

    required_scope = ApiScope.REPORTS
    serializer_class = s.SubmissionSerializer

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = (
            _submissions(request)
            .select_related("unit", "period__campaign")
            .prefetch_related("values__indicator")
            .order_by("period__year", "unit__code")
        )
        page = self.paginate_queryset(rows)
        assert page is not None
        context = {
            **self.get_serializer_context(),
            "board_points_visible": _points_visible(self.account, page),
        }
        return self.get_paginated_response(
            s.SubmissionSerializer(page, many=True, context=context).data
        )


@extend_schema(tags=["token"], parameters=[YEAR_PARAM, UNIT_PARAM])
class ReviewList(_SubmissionRows):
    """Each report's history: sent, returned with the Board's reasons, accepted
    (scope reports:read)."""

    required_scope = ApiScope.REPORTS
    serializer_class = s.ReviewStepSerializer

    def base(self) -> QuerySet:
        return SubmissionStep.objects.select_related(
            "by", "submission__period", "submission__unit"
        ).order_by("submission__period__year", "submission__unit__code", "at", "pk")


@extend_schema(tags=["token"], parameters=[YEAR_PARAM, UNIT_PARAM])
class ScoreList(_SubmissionRows):
    """Self-assessed and Board points per criterion (scope scores:read); the Board's points
    stay hidden from a unit until the Board has closed the year."""

    required_scope = ApiScope.SCORES
    serializer_class = s.ScoreSerializer

    def base(self) -> QuerySet:
        return CriterionScore.objects.select_related(
            "criterion", "submission__period", "submission__unit"
        ).order_by("submission__period__year", "submission__unit__code", "criterion__code")


@extend_schema(tags=["token"], parameters=[YEAR_PARAM, UNIT_PARAM])
class EvidenceList(_SubmissionRows):
    """What evidence each report carries: names and sizes, never the files (scope
    reports:read; as on the pages, leaders do not get evidence)."""

    required_scope = ApiScope.REPORTS
    serializer_class = s.EvidenceSerializer

    def base(self) -> QuerySet:
        if not campaign_access.evidence_downloadable(user=self.account):
            return Evidence.objects.none()
        return Evidence.objects.select_related(
            "criterion", "submission__period", "submission__unit"
        ).order_by("submission__period__year", "submission__unit__code", "uploaded_at", "pk")


def _period(request: Request) -> ReportingPeriod:
    campaign = current_campaign()
    periods = ReportingPeriod.objects.filter(campaign=campaign).select_related("campaign")
    year = year_param(request)
    period = periods.filter(year=year).first() if year else periods.order_by("-year").first()
    if period is None:
        raise exceptions.NotFound(
            _("The campaign has no reporting year %(year)s.") % {"year": year}
        )
    return period


@extend_schema(tags=["token"], parameters=[YEAR_PARAM, UNIT_PARAM])
class RankingList(PrivateView):
    """Each emulation bloc's ranking of a year (the latest without ?year=), from the Board's
    points of accepted reports (scope scores:read; the Board and leaders)."""

    required_scope = ApiScope.SCORES
    permission_classes = [ReadsBoardPages]
    serializer_class = s.RankingSerializer

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        period = _period(request)
        allowed = set(
            in_unit(
                rows_for_token(Unit.objects.all(), request, unit_field="pk"),
                unit_param(request),
                "pk",
            ).values_list("pk", flat=True)
        )
        rows = [
            {
                "year": period.year,
                "bloc": ranking.bloc.code,
                "bloc_name": ranking.bloc.name,
                "rank": row.rank,
                "unit_code": row.unit.code,
                "unit_name": row.unit.name,
                "state": row.state,
                "board_points": None if row.total is None else float(row.total),
                "classification": row.classification,
            }
            for ranking in ranking_module.bloc_rankings(period=period)
            for row in ranking.rows
            if row.unit.pk in allowed
        ]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.RankingSerializer(page, many=True).data)


@extend_schema(tags=["token"], parameters=[YEAR_PARAM, UNIT_PARAM])
class AwardList(PrivateView):
    """Award proposals and the decisions on them (scope awards:read; the Board and leaders)."""

    required_scope = ApiScope.AWARDS
    permission_classes = [ReadsBoardPages]
    serializer_class = s.AwardSerializer

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = rows_for_token(AwardProposal.objects.all(), request).select_related("period", "unit")
        year = year_param(request)
        if year is not None:
            rows = rows.filter(period__year=year)
        rows = in_unit(rows, unit_param(request)).order_by("period__year", "award", "unit__code")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.AwardSerializer(page, many=True).data)


@extend_schema(tags=["token"], parameters=[UNIT_PARAM])
class AccountList(PrivateView):
    """Accounts (scope users:read), for the Board and administrators, as their account pages."""

    required_scope = ApiScope.USERS
    serializer_class = s.AccountSerializer

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not may_manage_accounts(self.account):
            raise exceptions.PermissionDenied(_("Only the Board and administrators read accounts."))
        rows = User.objects.select_related("unit").order_by("username")
        token = token_of(request)
        if token is not None and token.unit is not None:
            rows = in_unit(rows, token.unit)
        rows = in_unit(rows, unit_param(request))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.AccountSerializer(page, many=True).data)
