"""A district's year ready to report: a bloc with a small rubric, LABOUR and EDU, an open period.

Shared by the report tests (test_report_*.py, test_submit.py, test_evidence.py,
test_registration.py and the browser journey).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns import services as campaign_services
from campaigns.models import Criterion, ReportingPeriod, Submission
from indicators.models import Indicator, Measure
from indicators.submissions import services
from tests.factories import (
    BlocFactory,
    BlocMembershipFactory,
    CriterionFactory,
    IndicatorFactory,
    PeriodFactory,
)
from units.models import User

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# A day inside the 2019 reporting window of PeriodFactory (deadline 15/01/2020).
IN_2019 = datetime(2019, 6, 3, 9, tzinfo=VN_TZ)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Year:
    officer: User
    period: ReportingPeriod
    parent: Criterion
    plain: Criterion
    evidenced: Criterion
    labour: Indicator
    edu: Indicator

    @property
    def unit(self):
        return self.officer.unit


def year_build(officer: User, *, year: int = 2019) -> Year:
    period = PeriodFactory(year=year)
    bloc = BlocFactory(campaign=period.campaign)
    BlocMembershipFactory(bloc=bloc, unit=officer.unit)
    parent = CriterionFactory(bloc=bloc, code="1", max_points=20, order=1)
    plain = CriterionFactory(bloc=bloc, parent=parent, code="1.1", max_points=8, order=1)
    evidenced = CriterionFactory(
        bloc=bloc, parent=parent, code="1.2", max_points=12, order=2, requires_evidence=True
    )
    labour = IndicatorFactory(
        campaign=period.campaign, code="LABOUR", measure=Measure.RATE, target_low=52, order=6
    )
    edu = IndicatorFactory(
        campaign=period.campaign, code="EDU", measure=Measure.RATE, target_low=80, order=7
    )
    return Year(
        officer=officer,
        period=period,
        parent=parent,
        plain=plain,
        evidenced=evidenced,
        labour=labour,
        edu=edu,
    )


def pdf(name: str = "quyet-dinh.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def draft(
    y: Year,
    *,
    narrative: str = "Năm 2019 huyện triển khai đầy đủ các nội dung phong trào.",
    fund: int | None = 250_000_000,
    points: tuple[Decimal | None, Decimal | None] = (Decimal(7), Decimal("10.5")),
) -> campaign_services.DraftInput:
    return campaign_services.DraftInput(
        narrative=narrative,
        fund_mobilised_vnd=fund,
        scores={
            y.plain.pk: campaign_services.ScoreInput(points=points[0], justification="Đạt"),
            y.evidenced.pk: campaign_services.ScoreInput(points=points[1], justification="Có QĐ"),
        },
    )


def complete_draft(y: Year) -> Submission:
    """A draft that meets the whole checklist, saved through the services."""
    submission = campaign_services.submission_get_or_create_draft(period=y.period, unit=y.unit)
    outcome = services.report_save(
        submission=submission,
        by=y.officer,
        expected_version=submission.version,
        draft=draft(y),
        values={
            y.labour.pk: services.ValueInput(numerator=5_200, denominator=10_000),
            y.edu.pk: services.ValueInput(numerator=800, denominator=1_000),
        },
        results={},
        evidence_files=[(y.evidenced.pk, pdf())],
    )
    assert not outcome.evidence_errors
    return outcome.submission


def post_data(y: Year, submission: Submission, **overrides: str) -> dict[str, str]:
    """What the browser posts for a complete report, before the officer changes anything."""
    data = {
        "version": str(submission.version),
        "narrative": "Năm 2019 huyện triển khai đầy đủ các nội dung phong trào.",
        "fund_mobilised_vnd": "250.000.000",
        "value-LABOUR-numerator": "5.200",
        "value-LABOUR-denominator": "10.000",
        "value-LABOUR-comment": "",
        "value-EDU-numerator": "800",
        "value-EDU-denominator": "1.000",
        "value-EDU-comment": "",
        "newmodel-name": "",
        "newmodel-participating": "",
        "comm-rows": "2",
        "comm-0-kind": "article",
        "comm-0-title": "Chung tay vì người nghèo",
        "comm-0-url": "https://baokontum.com.vn/bai-viet",
        "comm-0-count": "3",
        "comm-1-kind": "",
        "comm-1-title": "",
        "comm-1-url": "",
        "comm-1-count": "",
        f"score-{y.plain.pk}-points": "7",
        f"score-{y.plain.pk}-justification": "Đạt",
        f"score-{y.evidenced.pk}-points": "10,5",
        f"score-{y.evidenced.pk}-justification": "Có quyết định",
        "action": "save",
    }
    data.update(overrides)
    return data


def day(year: int, month: int, day_: int) -> datetime:
    return datetime(year, month, day_, 9, tzinfo=VN_TZ)
