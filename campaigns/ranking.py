"""Ranking inside each emulation bloc, from the Board points of accepted reports.

The tie-break rule, shown to users with the ranking:
1. the higher total of Board points;
2. then the higher Board points on the bloc's main group of criteria (the top-level criterion
   with the most points: for districts, the results against the 2020 targets);
3. then the report first submitted earlier;
4. units still equal share the rank.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from campaigns import deadlines, selectors
from campaigns.models import (
    Criterion,
    CriterionScore,
    EmulationBloc,
    ReportingPeriod,
    Submission,
    SubmissionStatus,
)
from units.models import Unit


@dataclass
class RankedUnit:
    unit: Unit
    submission: Submission | None
    total: Decimal | None = None
    main_points: Decimal | None = None
    first_submitted_at: datetime | None = None
    rank: int | None = None
    # Why this unit stands where it does against a unit with the same total.
    tie_notes: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        """accepted, not_reporting, or the report's status (not_started without one)."""
        if self.submission is None:
            return "not_started"
        if self.submission.not_reporting:
            return "not_reporting"
        return self.submission.status

    @property
    def classification(self) -> str:
        return self.submission.classification if self.submission else ""

    def get_classification_display(self) -> str:
        return self.submission.get_classification_display() if self.submission else ""


@dataclass
class BlocRanking:
    bloc: EmulationBloc
    main_group: Criterion | None
    rows: list[RankedUnit]

    @property
    def ranked(self) -> list[RankedUnit]:
        return [row for row in self.rows if row.rank is not None]


def state_labels() -> dict[str, str]:
    """Labels for RankedUnit.state: a report status, "not reporting" or "not started"."""
    labels = {status.value: str(status.label) for status in SubmissionStatus}
    labels["not_reporting"] = str(_("Not reporting"))
    labels["not_started"] = str(_("Not started"))
    return labels


def main_group(criteria: list[Criterion]) -> Criterion | None:
    """The bloc's top-level criterion with the most points (the first in order on a tie)."""
    top = [c for c in criteria if c.parent_id is None]
    return max(top, key=lambda c: (c.max_points, -c.order), default=None)


def _sort_key(row: RankedUnit) -> tuple:
    submitted = row.first_submitted_at.timestamp() if row.first_submitted_at else float("inf")
    return (-(row.total or 0), -(row.main_points or 0), submitted)


def _rank(rows: list[RankedUnit], group: Criterion | None) -> None:
    ranked = sorted((r for r in rows if r.state == SubmissionStatus.ACCEPTED), key=_sort_key)
    group_name = group.name if group else ""
    previous: RankedUnit | None = None
    for position, row in enumerate(ranked, start=1):
        row.rank = position
        if previous is not None and previous.total == row.total:
            if _sort_key(previous) == _sort_key(row):
                row.rank = previous.rank
                note = _("Equal with %(unit)s on every rule: they share the rank.")
                row.tie_notes.append(str(note) % {"unit": previous.unit.name})
                previous.tie_notes.append(str(note) % {"unit": row.unit.name})
            elif previous.main_points != row.main_points:
                row.tie_notes.append(
                    str(_("Same total as %(unit)s, fewer points on “%(group)s”."))
                    % {"unit": previous.unit.name, "group": group_name}
                )
                previous.tie_notes.append(
                    str(_("Same total as %(unit)s, more points on “%(group)s”."))
                    % {"unit": row.unit.name, "group": group_name}
                )
            else:
                row.tie_notes.append(
                    str(_("Same points as %(unit)s, submitted later."))
                    % {"unit": previous.unit.name}
                )
                previous.tie_notes.append(
                    str(_("Same points as %(unit)s, submitted earlier.")) % {"unit": row.unit.name}
                )
        previous = row
    # Unranked units follow, in code order, after the ranked ones.
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit.code))


def bloc_rankings(*, period: ReportingPeriod) -> list[BlocRanking]:
    """Every bloc of the year's campaign with its active units, ranked where accepted."""
    blocs = list(
        EmulationBloc.objects.filter(campaign_id=period.campaign_id).prefetch_related("criteria")
    )
    submissions = {
        s.unit_id: s
        for s in deadlines.with_timeliness(
            Submission.objects.filter(period=period).select_related("unit"),
            period=period,
            unit="unit",
        )
    }
    totals = selectors.score_totals(submissions=[s.pk for s in submissions.values()])
    # Points per submission and top-level group, in one query.
    group_points: dict[tuple[int, int], Decimal] = {}
    rows = (
        CriterionScore.objects.filter(submission__period=period, board_points__isnull=False)
        .values("submission_id", "criterion__parent_id", "criterion_id")
        .annotate(points=Sum("board_points"))
    )
    for item in rows:
        group_id = item["criterion__parent_id"] or item["criterion_id"]
        key = (item["submission_id"], group_id)
        group_points[key] = group_points.get(key, Decimal(0)) + item["points"]
    result = []
    for bloc in blocs:
        group = main_group(list(bloc.criteria.all()))
        units = Unit.objects.filter(bloc_memberships__bloc=bloc, is_active=True).order_by("code")
        bloc_rows = []
        for unit in units:
            submission = submissions.get(unit.pk)
            row = RankedUnit(unit=unit, submission=submission)
            if submission is not None:
                total = totals.get(submission.pk)
                row.total = total.board_points if total else None
                row.first_submitted_at = submission.first_submitted_at
                if group is not None:
                    row.main_points = group_points.get((submission.pk, group.pk))
            bloc_rows.append(row)
        _rank(bloc_rows, group)
        result.append(BlocRanking(bloc=bloc, main_group=group, rows=bloc_rows))
    return result


def tie_break_rule(group: Criterion | None) -> str:
    """The rule in words, for the page and the export."""
    return str(
        _(
            "Units are ranked by total Board points. Equal totals are separated by the points "
            "on “%(group)s”, then by the earlier first submission; units still equal share "
            "the rank."
        )
    ) % {"group": group.name if group else "—"}
