"""What every part of the demo shares: constants, seeded randomness and the units taking part."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns.models import BlocMembership, Campaign, Criterion, EmulationBloc, ReportingPeriod
from campaigns.services import BLOC_ENTERPRISES, BLOCS, CAMPAIGN_3198_NUMBER
from indicators.models import Indicator
from units.models import Sponsorship, Unit, UnitFlag, UnitFlagKind, UnitKind, UnitLevel, User
from units.services import PROVINCE_CODE, Counts, counts_add, rows_upsert

DEMO_PASSWORD = "kontum2017"  # noqa: S105 -- published demo password, set only by load_demo
DEMO_YEARS = (2018, 2019)
DEMO_ENTERPRISE_CODE = "dn-demo"
DEMO_ENTERPRISE_NAME = "Công ty Demo (dữ liệu mẫu)"
# Two communes of the known Program 135 list, sponsored by the demo enterprise.
DEMO_SPONSORED_COMMUNES = ("23365", "23464")
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def rng_for(*parts: object) -> random.Random:
    """A generator seeded with 2017 and a row's key: the row gets the same values every run."""
    return random.Random(":".join(["2017", *map(str, parts)]))  # noqa: S311 -- not secrets


def local_time(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN_TZ)


@dataclass
class DemoContext:
    campaign: Campaign
    periods: dict[int, ReportingPeriod]
    units: dict[str, Unit]
    bloc_of_unit: dict[str, EmulationBloc]
    leaves: dict[int, list[Criterion]]
    indicators: dict[str, Indicator]
    p135_ids: set[int]
    counts: Counts
    users: dict[str, User] = field(default_factory=dict)

    def officer(self, unit: Unit) -> User:
        return self.users[f"officer-{unit.code}"]

    def bloc_code(self, unit: Unit) -> str:
        return self.bloc_of_unit[unit.code].code

    def members(self, bloc_code: str) -> list[Unit]:
        return sorted(
            (
                self.units[code]
                for code, bloc in self.bloc_of_unit.items()
                if bloc.code == bloc_code
            ),
            key=lambda unit: unit.code,
        )


def context_build(*, counts: Counts) -> DemoContext:
    """Check the seed is in place, add the demo enterprise, and gather what the demo builds on."""
    campaign = Campaign.objects.get(number=CAMPAIGN_3198_NUMBER)
    periods = {p.year: p for p in campaign.periods.filter(year__in=DEMO_YEARS)}
    blocs = {b.code: b for b in campaign.blocs.all()}
    if set(periods) != set(DEMO_YEARS) or set(blocs) != {code for code, *_rest in BLOCS}:
        raise ValidationError(
            _("Campaign %(number)s lacks the years or blocs the demo needs; run seed_campaign."),
            code="demo_campaign_incomplete",
            params={"number": CAMPAIGN_3198_NUMBER},
        )
    bloc_of_unit = {
        unit_code: blocs[bloc_code]
        for bloc_code, _name, bloc_members in BLOCS
        for unit_code in bloc_members
    }
    units = Unit.objects.in_bulk([*bloc_of_unit, PROVINCE_CODE], field_name="code")
    missing = sorted({*bloc_of_unit, PROVINCE_CODE} - set(units))
    if missing:
        raise ValidationError(
            _("Units %(codes)s are missing; run seed_campaign first."),
            code="demo_units_missing",
            params={"codes": ", ".join(missing)},
        )
    province = units.pop(PROVINCE_CODE)
    enterprise = _enterprise_load(province=province, bloc=blocs[BLOC_ENTERPRISES], counts=counts)
    units[enterprise.code] = enterprise
    bloc_of_unit[enterprise.code] = blocs[BLOC_ENTERPRISES]

    leaves: dict[int, list[Criterion]] = {bloc.pk: [] for bloc in blocs.values()}
    for criterion in Criterion.objects.filter(bloc__in=blocs.values(), children__isnull=True):
        leaves[criterion.bloc_id].append(criterion)
    p135_ids = set(
        UnitFlag.objects.filter(flag=UnitFlagKind.ESPECIALLY_DIFFICULT).values_list(
            "unit_id", flat=True
        )
    )
    return DemoContext(
        campaign=campaign,
        periods=periods,
        units=units,
        bloc_of_unit=bloc_of_unit,
        leaves=leaves,
        indicators={indicator.code: indicator for indicator in campaign.indicators.all()},
        p135_ids=p135_ids,
        counts=counts,
    )


def _enterprise_load(*, province: Unit, bloc: EmulationBloc, counts: Counts) -> Unit:
    """The one enterprise of the demo, in the enterprise bloc, sponsoring two communes."""
    if Unit.objects.filter(code=DEMO_ENTERPRISE_CODE, is_demo=False).exists():
        raise ValidationError(
            _("A real unit already uses the demo code %(code)s; the demo will not change it."),
            code="demo_code_taken",
            params={"code": DEMO_ENTERPRISE_CODE},
        )
    done = rows_upsert(
        queryset=Unit.objects.filter(code=DEMO_ENTERPRISE_CODE),
        key=("code",),
        rows=[
            {
                "code": DEMO_ENTERPRISE_CODE,
                "name": DEMO_ENTERPRISE_NAME,
                "level": UnitLevel.ORGANISATION,
                "kind": UnitKind.ENTERPRISE,
                "parent_id": province.pk,
                "is_demo": True,
            }
        ],
    )
    counts_add(counts, Unit._meta.label_lower, done.counts())
    enterprise = done.objects[(DEMO_ENTERPRISE_CODE,)]
    membership = rows_upsert(
        queryset=BlocMembership.objects.filter(bloc=bloc, unit=enterprise),
        key=("bloc_id", "unit_id"),
        rows=[{"bloc_id": bloc.pk, "unit_id": enterprise.pk}],
    )
    counts_add(counts, BlocMembership._meta.label_lower, membership.counts())
    sponsorships = rows_upsert(
        queryset=Sponsorship.objects.filter(sponsor=enterprise),
        key=("sponsor_id", "commune_id", "first_year"),
        rows=[
            {
                "sponsor_id": enterprise.pk,
                "commune_id": commune.pk,
                "first_year": 2018,
                "last_year": 2020,
                "sponsor_commitment": "Hỗ trợ bò giống, gạo và sửa chữa nhà văn hóa thôn "
                "(dữ liệu mẫu).",
                "commune_commitment": "Sử dụng đúng mục đích, báo cáo kết quả hằng năm.",
                "is_demo": True,
            }
            for commune in Unit.objects.filter(code__in=DEMO_SPONSORED_COMMUNES).order_by("code")
        ],
        update_existing=False,
    )
    counts_add(counts, Sponsorship._meta.label_lower, sponsorships.counts())
    return enterprise
