"""Demo registrations and yearly reports of 2018–2019, in every status, with consistent steps."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from campaigns.models import (
    STATUS_ACTION,
    CommunicationItem,
    CommunicationKind,
    CriterionScore,
    DeadlineExtension,
    Registration,
    ReportingPeriod,
    SponsorshipSupport,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from campaigns.services import BLOC_DISTRICTS
from campaigns.services.review import classify
from indicators.models import RegisteredTarget, ReportedValue
from kontum_poverty.demo.context import (
    DEMO_ENTERPRISE_CODE,
    DEMO_YEARS,
    DemoContext,
    local_time,
    rng_for,
)
from units.models import Sponsorship, Unit, UnitKind, User
from units.services import counts_add, rows_upsert

# Every status occurs each year; the other units follow these weights. 2018 is reviewed, 2019
# mostly: enough accepted reports that most province figures reach the minimum coverage.
STATUS_WEIGHTS = {
    2018: {"accepted": 80, "submitted": 8, "returned": 6, "draft": 6},
    2019: {"accepted": 65, "submitted": 15, "returned": 10, "draft": 10},
}
PLEDGE_MILLIONS = {
    UnitKind.CITY: (500, 900),
    UnitKind.DISTRICT: (150, 600),
    UnitKind.DEPARTMENT: (20, 80),
    UnitKind.MASS_ORGANISATION: (30, 120),
    UnitKind.ENTERPRISE: (100, 300),
}
TARGET_RANGES = {
    "ROAD": (85, 100), "SCHOOL": (80, 100), "HEALTH": (75, 100), "INCOME": (15, 20),
    "ESCAPE": (10, 15), "LABOUR": (45, 55), "EDU": (65, 82), "CULTURE": (40, 60),
}  # fmt: skip
RETURN_REASONS = (
    'Đề nghị bổ sung minh chứng kết quả vận động Quỹ "Vì người nghèo" (biên lai, danh sách).',
    "Điểm tự chấm một số tiêu chí cao hơn kết quả thực tế; đề nghị giải trình.",
)
DISTRICT_RETURN_REASON = (
    "Số liệu lao động qua đào tạo chưa khớp với báo cáo của ngành; đề nghị rà soát lại."
)
COMMUNICATION_TITLES = {
    CommunicationKind.ARTICLE: 'Bài viết về phong trào "Cả nước chung tay vì người nghèo"',
    CommunicationKind.BROADCAST: "Chuyên mục phát thanh về giảm nghèo bền vững",
    CommunicationKind.WEB_POST: "Tin về kết quả giảm nghèo trên trang thông tin điện tử",
    CommunicationKind.EVENT: "Hội nghị biểu dương điển hình tiên tiến trong giảm nghèo",
}


def _created(number: int) -> dict[str, int]:
    return {"created": number, "updated": 0, "unchanged": 0}


def _pledge(unit: Unit, *, year: int) -> int:
    low, high = PLEDGE_MILLIONS[UnitKind(unit.kind)]
    return rng_for("pledge", year, unit.code).randint(low, high) * 1_000_000


def registrations_load(context: DemoContext) -> None:
    """A registration per unit and year with a fund pledge; districts also commit to targets."""
    rows = []
    for year, period in context.periods.items():
        for code, unit in sorted(context.units.items()):
            rng = rng_for("registration", year, code)
            rows.append(
                {
                    "period_id": period.pk,
                    "unit_id": unit.pk,
                    "fund_pledge_vnd": _pledge(unit, year=year),
                    "sponsorship_commitment": "Tiếp tục đỡ đầu 2 xã đặc biệt khó khăn."
                    if code == DEMO_ENTERPRISE_CODE
                    else "",
                    "other_commitments": f"Đăng ký thi đua năm {year} (dữ liệu mẫu).",
                    "registered_at": local_time(date(year, 1, rng.randint(8, 31))),
                    "registered_by_id": context.officer(unit).pk,
                    "is_demo": True,
                }
            )
    done = rows_upsert(
        queryset=Registration.objects.filter(period__in=context.periods.values()),
        key=("period_id", "unit_id"),
        rows=rows,
        update_existing=False,
    )
    counts_add(context.counts, Registration._meta.label_lower, done.counts())
    # Only registrations made now get targets: one already there keeps its own.
    districts = {unit.pk: unit.code for unit in context.members(BLOC_DISTRICTS)}
    years = {period.pk: year for year, period in context.periods.items()}
    targets = []
    for registration in done.created:
        if registration.unit_id not in districts:
            continue
        rng = rng_for("targets", years[registration.period_id], districts[registration.unit_id])
        for code, (low, high) in TARGET_RANGES.items():
            if code in context.indicators:
                targets.append(
                    RegisteredTarget(
                        registration=registration,
                        indicator=context.indicators[code],
                        value=Decimal(rng.randint(low * 2, high * 2)) / 2,
                    )
                )
    RegisteredTarget.objects.bulk_create(targets)
    counts_add(context.counts, RegisteredTarget._meta.label_lower, _created(len(targets)))


def _statuses(context: DemoContext, year: int) -> dict[str, str]:
    codes = sorted(context.units)
    rng = rng_for("statuses", year)
    rng.shuffle(codes)
    weights = STATUS_WEIGHTS[year]
    plan = dict(zip(codes, weights, strict=False))
    for code in codes[len(weights) :]:
        plan[code] = rng.choices(list(weights), weights=list(weights.values()))[0]
    return plan


@dataclass
class _Story:
    """A report's life, built before anything is written."""

    submission: Submission
    steps: list[SubmissionStep]
    created_at: datetime


def _story(context: DemoContext, *, period: ReportingPeriod, unit: Unit, status: str) -> _Story:
    """Draft → submitted (→ returned → submitted) → accepted, cut at the wanted status."""
    rng = rng_for("submission", period.year, unit.code)
    officer, board = context.officer(unit), context.users["board"]
    created_at = local_time(date(period.year, 10, 15) + timedelta(days=rng.randint(0, 25)), 8)
    moment = local_time(date(period.year, 11, 15) + timedelta(days=rng.randint(0, 25)), 8)
    plan: list[tuple[str, str, User]] = []
    if status != SubmissionStatus.DRAFT:
        plan.append((SubmissionStatus.DRAFT, SubmissionStatus.SUBMITTED, officer))
        if status == SubmissionStatus.RETURNED or rng.random() < 0.35:
            plan.append((SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED, board))
            if status != SubmissionStatus.RETURNED:
                plan.append((SubmissionStatus.RETURNED, SubmissionStatus.SUBMITTED, officer))
        if status == SubmissionStatus.ACCEPTED:
            plan.append((SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED, board))
    reasons = RETURN_REASONS
    if context.bloc_code(unit) == BLOC_DISTRICTS:
        reasons += (DISTRICT_RETURN_REASON,)
    steps = []
    # Each step moves the report to its next version, like the review services do.
    for version, (from_status, to_status, by) in enumerate(plan, start=2):
        if steps:
            moment += timedelta(days=rng.randint(2, 8), hours=rng.randint(0, 6))
        reason = rng.choice(reasons) if to_status == SubmissionStatus.RETURNED else ""
        steps.append(
            SubmissionStep(
                from_status=from_status,
                to_status=to_status,
                action=STATUS_ACTION[to_status],
                by=by,
                at=moment,
                comment=reason,
                field_comments={"fund_mobilised_vnd": reason} if "Quỹ" in reason else {},
                version=version,
            )
        )
    submits = [step.at for step in steps if step.to_status == SubmissionStatus.SUBMITTED]
    mobilised = int(round(_pledge(unit, year=period.year) * rng.uniform(0.75, 1.25), -6))
    submission = Submission(
        period=period,
        unit=unit,
        status=status,
        version=1 + len(steps),
        narrative=f"Báo cáo kết quả thực hiện phong trào thi đua năm {period.year} của "
        f"{unit.name} (dữ liệu mẫu).",
        fund_mobilised_vnd=None if not steps and rng.random() < 0.5 else mobilised,
        updated_by=steps[-1].by if steps else officer,
        submitted_at=submits[-1] if submits else None,
        accepted_at=steps[-1].at if status == SubmissionStatus.ACCEPTED else None,
        is_demo=True,
    )
    return _Story(submission=submission, steps=steps, created_at=created_at)


def submissions_load(context: DemoContext) -> dict[tuple[int, int], Submission]:
    """Reports for every unit and demo year that has none; returns all reports by (year, unit)."""
    existing = set(
        Submission.objects.filter(period__in=context.periods.values()).values_list(
            "period_id", "unit_id"
        )
    )
    planned = 0
    stories = []
    for year, period in context.periods.items():
        for code, status in _statuses(context, year).items():
            planned += 1
            unit = context.units[code]
            # A unit that already has a report for the year keeps it, real or demo.
            if (period.pk, unit.pk) not in existing:
                stories.append(_story(context, period=period, unit=unit, status=status))
    submissions = [story.submission for story in stories]
    Submission.objects.bulk_create(submissions)
    # auto_now and auto_now_add stamp the moment of writing over the times set before; the
    # demo's history happened in its own year, so the times are put back afterwards.
    steps, moments = [], []
    for story in stories:
        story.submission.created_at = story.created_at
        story.submission.updated_at = story.steps[-1].at if story.steps else story.created_at
        for step in story.steps:
            step.submission = story.submission
            steps.append(step)
            moments.append(step.at)
    Submission.objects.bulk_update(submissions, ["created_at", "updated_at"])
    SubmissionStep.objects.bulk_create(steps)
    for step, moment in zip(steps, moments, strict=True):
        step.at = moment
    SubmissionStep.objects.bulk_update(steps, ["at"])

    done = {
        Submission: submissions,
        SubmissionStep: steps,
        CriterionScore: _scores(context, submissions),
        ReportedValue: _reported_values(context, submissions),
        SponsorshipSupport: _sponsorship_support(submissions),
        CommunicationItem: _communication(submissions),
    }
    for model, rows in done.items():
        counts_add(context.counts, model._meta.label_lower, _created(len(rows)))
    counts_add(context.counts, Submission._meta.label_lower, {"unchanged": planned - len(stories)})
    return {
        (submission.period.year, submission.unit_id): submission
        for submission in Submission.objects.filter(
            period__in=context.periods.values()
        ).select_related("period")
    }


def _half_points(value: float, top: Decimal) -> Decimal:
    """Round to half a point, inside 0..top, as the Board scores."""
    return min(top, max(Decimal(0), Decimal(round(value * 2)) / 2))


def _scores(context: DemoContext, submissions: Sequence[Submission]) -> list[CriterionScore]:
    """Self points on every leaf (some missing in drafts); Board points on accepted reports."""
    scores = []
    for submission in submissions:
        rng = rng_for("scores", submission.period.year, submission.unit.code)
        quality = rng.uniform(0.62, 1.0)
        accepted = submission.status == SubmissionStatus.ACCEPTED
        board_total = Decimal(0)
        for criterion in context.leaves[context.bloc_of_unit[submission.unit.code].pk]:
            top = criterion.max_points
            own: Decimal | None = _half_points(
                float(top) * (quality + rng.uniform(-0.08, 0.05)), top
            )
            if submission.status == SubmissionStatus.DRAFT and rng.random() < 0.4:
                own = None
            score = CriterionScore(
                submission=submission,
                criterion=criterion,
                max_points=top,
                self_points=own,
                self_justification="" if own is None else "Theo báo cáo kết quả của đơn vị.",
            )
            if accepted and own is not None and submission.accepted_at is not None:
                cut = Decimal(rng.choice((0, 0, 0, 1, 2))) / 2
                score.board_points = max(Decimal(0), own - cut)
                score.board_justification = (
                    "Minh chứng chưa đầy đủ cho một phần kết quả tự chấm." if cut else ""
                )
                score.board_scored_by = context.users["board"]
                score.board_scored_at = submission.accepted_at - timedelta(hours=2)
                board_total += score.board_points
            scores.append(score)
        if accepted:
            submission.classification = classify(campaign=context.campaign, total=board_total)
    CriterionScore.objects.bulk_create(scores)
    Submission.objects.bulk_update(
        [s for s in submissions if s.status == SubmissionStatus.ACCEPTED], ["classification"]
    )
    return scores


def _reported_values(
    context: DemoContext, submissions: Sequence[Submission]
) -> list[ReportedValue]:
    """Districts report LABOUR and EDU as two counts; the rest comes from communes and models."""
    values = []
    for submission in submissions:
        unit = submission.unit
        if context.bloc_code(unit) != BLOC_DISTRICTS:
            continue
        # The district's own baseline, so its two years line up.
        base = rng_for("district-rates", unit.code)
        workers, age_group = base.randint(15_000, 90_000), base.randint(3_000, 15_000)
        trained, educated = base.uniform(0.40, 0.50), base.uniform(0.55, 0.75)
        later = submission.period.year - DEMO_YEARS[0]
        rng = rng_for("reported", submission.period.year, unit.code)
        pairs = {
            "LABOUR": (workers, trained + later * rng.uniform(0.02, 0.04)),
            "EDU": (age_group, educated + later * rng.uniform(0.02, 0.05)),
        }
        for code, (total, share) in pairs.items():
            if code not in context.indicators:
                continue
            if submission.status == SubmissionStatus.DRAFT and rng.random() < 0.5:
                continue
            values.append(
                ReportedValue(
                    submission=submission,
                    indicator=context.indicators[code],
                    numerator=round(total * min(share, 1.0)),
                    denominator=total,
                )
            )
    ReportedValue.objects.bulk_create(values)
    return values


def _sponsorship_support(submissions: Sequence[Submission]) -> list[SponsorshipSupport]:
    """The demo enterprise reports support to the communes it sponsors."""
    sponsored = list(
        Sponsorship.objects.filter(sponsor__code=DEMO_ENTERPRISE_CODE).select_related("commune")
    )
    support = []
    for submission in submissions:
        year = submission.period.year
        if submission.unit.code != DEMO_ENTERPRISE_CODE:
            continue
        rng = rng_for("support", year)
        support += [
            SponsorshipSupport(
                submission=submission,
                commune=sponsorship.commune,
                money_vnd=rng.randint(30, 150) * 1_000_000,
                in_kind_value_vnd=rng.randint(10, 80) * 1_000_000,
                in_kind="Bò giống, gạo, chăn màn cho hộ nghèo",
                works="Sửa chữa nhà văn hóa thôn" if rng.random() < 0.5 else "",
            )
            for sponsorship in sponsored
            if sponsorship.first_year <= year <= sponsorship.last_year
        ]
    SponsorshipSupport.objects.bulk_create(support)
    return support


def _communication(submissions: Sequence[Submission]) -> list[CommunicationItem]:
    """Most sent reports list one to three pieces of communication work."""
    items = []
    for submission in submissions:
        year, unit = submission.period.year, submission.unit
        rng = rng_for("communication", year, unit.code)
        if submission.status == SubmissionStatus.DRAFT or rng.random() < 0.4:
            continue
        for kind in rng.sample(list(COMMUNICATION_TITLES), k=rng.randint(1, 3)):
            items.append(
                CommunicationItem(
                    submission=submission,
                    kind=kind,
                    title=f"{COMMUNICATION_TITLES[kind]} – {unit.name}",
                    count=rng.randint(1, 12),
                    published_on=date(year, rng.randint(3, 11), rng.randint(1, 28)),
                )
            )
    CommunicationItem.objects.bulk_create(items)
    return items


# Long enough to try the report form for a while after loading the demo.
DEMO_EXTENSION_DAYS = 365


def extensions_load(context: DemoContext) -> None:
    """Give every demo unit time to report the campaign's last year, long past its deadline.

    The campaign's years are in the past, so without this a demo officer could never open the
    report form. An extension is what the Board grants in real life, and it is visible as such.
    """
    period = ReportingPeriod.objects.filter(campaign=context.campaign).order_by("-year").first()
    today = timezone.localdate()
    if period is None or period.year in context.periods or period.deadline >= today:
        return
    done = rows_upsert(
        queryset=DeadlineExtension.objects.filter(period=period),
        key=("period_id", "unit_id"),
        rows=[
            {
                "period_id": period.pk,
                "unit_id": unit.pk,
                "deadline": today + timedelta(days=DEMO_EXTENSION_DAYS),
                "reason": "Dữ liệu mẫu: gia hạn để dùng thử biểu mẫu báo cáo.",
                "granted_by_id": context.users["board"].pk,
            }
            for unit in sorted(context.units.values(), key=lambda unit: unit.code)
            if unit.code in context.bloc_of_unit
        ],
        update_existing=False,
    )
    counts_add(context.counts, DeadlineExtension._meta.label_lower, done.counts())
