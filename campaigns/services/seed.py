"""Seeding campaign 3198/UBND-TH, its years, blocs and rubrics."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from campaigns.models import (
    BlocMembership,
    Campaign,
    Criterion,
    EmulationBloc,
    PeriodState,
    ReportingPeriod,
)
from campaigns.services.register import award_forms_ensure
from units.models import Unit
from units.services import (
    DEPARTMENTS,
    MASS_ORGANISATIONS,
    Counts,
    counts_add,
    rows_upsert,
)

CAMPAIGN_3198_NUMBER = "3198/UBND-TH"
CAMPAIGN_3198 = {
    "title": "Cả nước chung tay vì người nghèo – Không để ai bị bỏ lại phía sau",
    "issuing_body": "Ủy ban nhân dân tỉnh Kon Tum",
    "issued_on": date(2017, 11, 28),
    "first_year": 2018,
    "last_year": 2020,
    "source_document": "Văn bản 3198/UBND-TH ngày 28/11/2017 của UBND tỉnh Kon Tum",
    "poverty_standard": "QĐ 59/2015/QĐ-TTg",
}
DISTRICT_CODES = ("608", "610", "611", "612", "613", "614", "615", "616", "617", "618")

BLOC_DISTRICTS = "districts"
BLOC_DEPARTMENTS = "departments"
BLOC_MASS_ORGANISATIONS = "mass-organisations"
BLOC_ENTERPRISES = "enterprises"
BLOCS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (BLOC_DISTRICTS, "Khối các huyện, thành phố", DISTRICT_CODES),
    (BLOC_DEPARTMENTS, "Khối các sở, ban, ngành", tuple(code for code, _name in DEPARTMENTS)),
    (
        BLOC_MASS_ORGANISATIONS,
        "Khối các đoàn thể",
        tuple(code for code, _name in MASS_ORGANISATIONS),
    ),
    # No verified list of enterprises: members come from the Board, or from demo data.
    (BLOC_ENTERPRISES, "Khối doanh nghiệp", ()),
)

RUBRIC_TOTAL = Decimal(100)


@dataclass(frozen=True)
class Node:
    """One criterion of a default rubric; a parent's points are the sum of its children's."""

    code: str
    name: str
    points: int = 0
    children: tuple["Node", ...] = ()
    evidence: bool = False
    indicator: str = ""

    @property
    def max_points(self) -> Decimal:
        if self.children:
            return sum((child.max_points for child in self.children), Decimal(0))
        return Decimal(self.points)


def _organising(points: tuple[int, int, int]) -> Node:
    plan, register, report = points
    return Node(
        "1",
        "Tổ chức phát động, đăng ký thi đua",
        children=(
            Node(
                "1.1",
                "Ban hành kế hoạch, tổ chức phát động phong trào thi đua",
                plan,
                evidence=True,
            ),
            Node("1.2", "Đăng ký thi đua, giao chỉ tiêu cụ thể", register),
            Node("1.3", "Sơ kết, tổng kết, báo cáo kết quả đúng thời hạn", report),
        ),
    )


RUBRICS: dict[str, tuple[Node, ...]] = {
    BLOC_DISTRICTS: (
        _organising((4, 3, 3)),
        Node(
            "2",
            "Kết quả thực hiện các chỉ tiêu đến năm 2020",
            children=(
                Node(
                    "2.1",
                    "Đường ô tô đến trung tâm xã được nhựa hóa, bê tông hóa",
                    6,
                    indicator="ROAD",
                ),
                Node(
                    "2.2",
                    "Xã có đủ trường, lớp và trung tâm học tập cộng đồng",
                    6,
                    indicator="SCHOOL",
                ),
                Node("2.3", "Xã đạt Bộ tiêu chí quốc gia về y tế xã", 6, indicator="HEALTH"),
                Node(
                    "2.4",
                    "Thu nhập của hộ nghèo tham gia mô hình tăng 15–20%/năm",
                    8,
                    indicator="INCOME",
                    evidence=True,
                ),
                Node(
                    "2.5",
                    "Hộ tham gia mô hình thoát nghèo trên 10%/năm",
                    8,
                    indicator="ESCAPE",
                    evidence=True,
                ),
                Node("2.6", "Tỷ lệ lao động qua đào tạo", 6, indicator="LABOUR"),
                Node(
                    "2.7",
                    "Tỷ lệ người trong độ tuổi đạt trình độ THPT và tương đương",
                    5,
                    indicator="EDU",
                ),
                Node("2.8", "Xã, phường, thị trấn có nhà văn hóa", 5, indicator="CULTURE"),
            ),
        ),
        Node(
            "3",
            "Xây dựng và nhân rộng mô hình giảm nghèo bền vững",
            children=(
                Node("3.1", "Xây dựng, duy trì mô hình giảm nghèo bền vững", 8, evidence=True),
                Node("3.2", "Nhân rộng mô hình có hiệu quả", 7),
            ),
        ),
        Node(
            "4",
            'Vận động Quỹ "Vì người nghèo" và huy động nguồn lực xã hội',
            children=(
                Node(
                    "4.1", 'Kết quả vận động Quỹ "Vì người nghèo" so với đăng ký', 6, evidence=True
                ),
                Node("4.2", "Huy động nguồn lực hỗ trợ nhà ở, sinh kế cho hộ nghèo", 4),
            ),
        ),
        Node("5", "Phối hợp đỡ đầu, giúp đỡ xã đặc biệt khó khăn", 5),
        Node(
            "6",
            "Công tác thông tin, tuyên truyền",
            children=(
                Node(
                    "6.1",
                    "Tuyên truyền trên phương tiện thông tin đại chúng và cổng thông tin điện tử",
                    5,
                ),
                Node(
                    "6.2", "Phát hiện, biểu dương, nhân rộng điển hình tiên tiến", 5, evidence=True
                ),
            ),
        ),
    ),
    BLOC_DEPARTMENTS: (
        _organising((5, 5, 5)),
        Node(
            "2",
            "Thực hiện nhiệm vụ giảm nghèo theo chức năng của ngành",
            children=(
                Node(
                    "2.1",
                    "Tham mưu, triển khai chính sách giảm nghèo thuộc lĩnh vực ngành",
                    15,
                    evidence=True,
                ),
                Node("2.2", "Hướng dẫn, kiểm tra, đôn đốc cơ sở thực hiện", 15),
            ),
        ),
        Node("3", "Hỗ trợ xây dựng mô hình giảm nghèo bền vững", 15),
        Node(
            "4",
            'Vận động Quỹ "Vì người nghèo"',
            children=(
                Node("4.1", "Vận động cán bộ, công chức, viên chức ủng hộ Quỹ", 10, evidence=True),
                Node("4.2", "Huy động doanh nghiệp, nhà tài trợ hỗ trợ người nghèo", 5),
            ),
        ),
        Node(
            "5",
            "Đỡ đầu xã đặc biệt khó khăn",
            children=(
                Node(
                    "5.1",
                    "Duy trì, đổi mới hình thức đỡ đầu xã đặc biệt khó khăn",
                    8,
                    evidence=True,
                ),
                Node("5.2", "Kết quả hỗ trợ xã được đỡ đầu (tiền, hiện vật, công trình)", 7),
            ),
        ),
        Node(
            "6",
            "Công tác thông tin, tuyên truyền",
            children=(
                Node("6.1", "Tin, bài trên trang thông tin điện tử của đơn vị", 5),
                Node("6.2", "Phát hiện, biểu dương điển hình tiên tiến", 5),
            ),
        ),
    ),
    BLOC_MASS_ORGANISATIONS: (
        _organising((5, 5, 5)),
        Node(
            "2",
            "Vận động hội viên, đoàn viên tham gia giảm nghèo",
            children=(
                Node("2.1", "Hướng dẫn hội viên phát triển sinh kế, tiếp cận vốn vay", 15),
                Node("2.2", "Giúp đỡ hội viên nghèo thoát nghèo", 10, evidence=True),
            ),
        ),
        Node(
            "3",
            "Xây dựng mô hình giảm nghèo bền vững",
            children=(
                Node("3.1", "Xây dựng, duy trì mô hình giảm nghèo bền vững", 10, evidence=True),
                Node("3.2", "Hộ tham gia mô hình thoát nghèo", 10, indicator="ESCAPE"),
            ),
        ),
        Node("4", 'Vận động Quỹ "Vì người nghèo"', 15, evidence=True),
        Node("5", "Đỡ đầu, giúp đỡ xã đặc biệt khó khăn", 10),
        Node(
            "6",
            "Công tác thông tin, tuyên truyền",
            children=(
                Node("6.1", "Tuyên truyền trong hội viên, đoàn viên", 8),
                Node("6.2", "Phát hiện, biểu dương điển hình tiên tiến", 7),
            ),
        ),
    ),
    BLOC_ENTERPRISES: (
        Node("1", "Đăng ký tham gia phong trào thi đua", 10),
        Node(
            "2",
            'Ủng hộ Quỹ "Vì người nghèo"',
            children=(
                Node("2.1", "Mức ủng hộ so với đăng ký", 20, evidence=True),
                Node("2.2", "Vận động người lao động ủng hộ", 10),
            ),
        ),
        Node(
            "3",
            "Đỡ đầu, hỗ trợ xã đặc biệt khó khăn",
            children=(
                Node("3.1", "Hỗ trợ bằng tiền, hiện vật", 15, evidence=True),
                Node("3.2", "Hỗ trợ xây dựng công trình", 15),
            ),
        ),
        Node("4", "Tạo việc làm, đào tạo nghề cho lao động nghèo, đồng bào dân tộc thiểu số", 20),
        Node("5", "Công tác thông tin, tuyên truyền", 10),
    ),
}


@transaction.atomic
def campaign_3198_seed() -> Counts:
    """Create or refresh campaign 3198/UBND-TH with its years, blocs, members and rubrics."""
    counts: Counts = {}
    done = rows_upsert(
        queryset=Campaign.objects.filter(number=CAMPAIGN_3198_NUMBER),
        key=("number",),
        rows=[{"number": CAMPAIGN_3198_NUMBER, **CAMPAIGN_3198}],
    )
    counts_add(counts, Campaign._meta.label_lower, done.counts())
    campaign = done.objects[(CAMPAIGN_3198_NUMBER,)]

    # Dates and state of a year belong to the Board once the year exists (it may be locked).
    done_periods = rows_upsert(
        queryset=ReportingPeriod.objects.filter(campaign=campaign),
        key=("campaign_id", "year"),
        rows=[
            {
                "campaign_id": campaign.pk,
                "year": year,
                "opens_on": date(year, 1, 1),
                "deadline": date(year, 12, 15),
                "state": PeriodState.OPEN,
            }
            for year in range(campaign.first_year, campaign.last_year + 1)
        ],
        update_existing=False,
    )
    counts_add(counts, ReportingPeriod._meta.label_lower, done_periods.counts())
    award_forms_ensure(campaign=campaign)

    done_blocs = rows_upsert(
        queryset=EmulationBloc.objects.filter(campaign=campaign),
        key=("campaign_id", "code"),
        rows=[
            {"campaign_id": campaign.pk, "code": code, "name": name, "order": order}
            for order, (code, name, _members) in enumerate(BLOCS, start=1)
        ],
    )
    counts_add(counts, EmulationBloc._meta.label_lower, done_blocs.counts())
    blocs = {code: bloc for (_campaign, code), bloc in done_blocs.objects.items()}

    counts_add(counts, BlocMembership._meta.label_lower, _seed_memberships(blocs=blocs))
    for code, bloc in blocs.items():
        counts_add(
            counts, Criterion._meta.label_lower, _seed_rubric(bloc=bloc, nodes=RUBRICS[code])
        )
    return counts


def _seed_memberships(*, blocs: dict[str, EmulationBloc]) -> dict[str, int]:
    codes = {code: members for code, _name, members in BLOCS}
    units = Unit.objects.in_bulk(
        [c for members in codes.values() for c in members], field_name="code"
    )
    missing = sorted({c for members in codes.values() for c in members} - set(units))
    if missing:
        raise ValidationError(
            _("Units %(codes)s are missing: load the reference units first."),
            code="units_missing",
            params={"codes": ", ".join(missing)},
        )
    done = rows_upsert(
        queryset=BlocMembership.objects.filter(bloc__in=blocs.values()),
        key=("bloc_id", "unit_id"),
        rows=[
            {"bloc_id": blocs[bloc_code].pk, "unit_id": units[unit_code].pk}
            for bloc_code, members in codes.items()
            for unit_code in members
        ],
    )
    return done.counts()


def _seed_rubric(*, bloc: EmulationBloc, nodes: tuple[Node, ...]) -> dict[str, int]:
    """Give a bloc without criteria the default rubric; a bloc that has criteria keeps them."""
    total = sum((node.max_points for node in nodes), Decimal(0))
    if total != RUBRIC_TOTAL:
        raise ValidationError(
            _("The default rubric of bloc %(bloc)s adds up to %(total)s points, not 100."),
            code="rubric_not_100",
            params={"bloc": bloc.code, "total": total},
        )
    existing = bloc.criteria.count()
    if existing:
        # Criteria are the Board's once they exist: scores point at them, points may be tuned.
        return {"created": 0, "updated": 0, "unchanged": existing}
    created = 0
    # One bulk insert per depth: parents get their ids before their children reference them.
    level: list[tuple[Criterion | None, int, Node]] = [
        (None, order, node) for order, node in enumerate(nodes, start=1)
    ]
    while level:
        criteria = [
            Criterion(
                campaign_id=bloc.campaign_id,
                bloc=bloc,
                parent=parent,
                code=node.code,
                name=node.name,
                max_points=node.max_points,
                order=order,
                requires_evidence=node.evidence,
                indicator_code=node.indicator,
            )
            for parent, order, node in level
        ]
        Criterion.objects.bulk_create(criteria)
        created += len(criteria)
        level = [
            (criterion, order, child)
            for criterion, (_parent, _order, node) in zip(criteria, level, strict=True)
            for order, child in enumerate(node.children, start=1)
        ]
    return {"created": created, "updated": 0, "unchanged": 0}
