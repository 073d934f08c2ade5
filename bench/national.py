"""Synthetic campaign data at any scale, bulk-created into the configured database.

`generate()` builds provinces, districts, communes and agencies with commune statistics,
yearly reports (values, model results, fund and sponsorship figures, steps), registrations and
emulation blocs. The defaults give national scale: 63 provinces, ~700 districts, ~10,600
communes. Benchmarks and query-count tests share it. The first province is Kon Tum (code 62),
so the dashboard's default scope and the public page find it.

Run alone to fill a database: `python bench/national.py [--provinces 63] [--years 2018 2019 2020]`.
"""

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

UNIT_BATCH = 2000

# (code, measure, commune field, low, high, direction) of the eight targets of 3198/UBND-TH.
INDICATORS = [
    ("ROAD", "share_of_communes", "paved_road", 100, None),
    ("SCHOOL", "share_of_communes", "adequate_schools", 100, None),
    ("HEALTH", "share_of_communes", "health_criteria_met", 100, None),
    ("INCOME", "growth", "", 15, 20),
    ("ESCAPE", "rate", "", 10, None),
    ("LABOUR", "rate", "", 52, None),
    ("EDU", "rate", "", 80, None),
    ("CULTURE", "share_of_communes", "cultural_house", 50, None),
]
NAMES = {
    "ROAD": "Xã có đường ô tô đến trung tâm xã được nhựa hóa hoặc bê tông hóa",
    "SCHOOL": "Xã có đủ trường mầm non, trường học và trung tâm học tập cộng đồng",
    "HEALTH": "Xã đạt bộ tiêu chí quốc gia về y tế xã",
    "INCOME": "Tăng thu nhập của hộ nghèo tham gia mô hình giảm nghèo bền vững",
    "ESCAPE": "Hộ tham gia mô hình thoát nghèo hằng năm",
    "LABOUR": "Lao động qua đào tạo",
    "EDU": "Người trong độ tuổi đạt trình độ trung học phổ thông và tương đương",
    "CULTURE": "Xã, phường, thị trấn có nhà văn hóa",
}


@dataclass
class Generated:
    provinces: list = field(default_factory=list)
    districts: int = 0
    communes: int = 0
    organisations: int = 0
    statistics: int = 0
    submissions: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"provinces={len(self.provinces)} districts={self.districts} "
            f"communes={self.communes} organisations={self.organisations} "
            f"statistics={self.statistics} submissions={self.submissions} "
            f"seconds={self.seconds:.1f}"
        )


def _campaign_and_indicators(years: list[int]):
    from campaigns.models import Campaign, ReportingPeriod
    from indicators.models import Indicator, Milestone

    campaign, _ = Campaign.objects.get_or_create(
        number="3198/UBND-TH",
        defaults={
            "title": "Cả nước chung tay vì người nghèo – Không để ai bị bỏ lại phía sau",
            "issuing_body": "Ủy ban nhân dân tỉnh Kon Tum",
            "issued_on": date(2017, 11, 28),
            "first_year": 2018,
            "last_year": 2020,
        },
    )
    periods = {}
    for year in years:
        periods[year], _ = ReportingPeriod.objects.get_or_create(
            campaign=campaign,
            year=year,
            defaults={"opens_on": date(year, 1, 1), "deadline": date(year, 12, 15)},
        )
    indicators = {}
    for order, (code, measure, commune_field, low, high) in enumerate(INDICATORS):
        indicators[code], _ = Indicator.objects.get_or_create(
            campaign=campaign,
            code=code,
            defaults={
                "name": NAMES[code],
                "measure": measure,
                "commune_field": commune_field,
                "target_low": low,
                "target_high": high,
                "target_year": 2020,
                "order": order,
            },
        )
        for year in years:
            if year < 2020 and measure in ("share_of_communes", "rate") and code != "ESCAPE":
                Milestone.objects.get_or_create(
                    indicator=indicators[code],
                    year=year,
                    scope=None,
                    defaults={"target_low": round(low * (0.7 + 0.1 * (year - 2017)), 1)},
                )
    return campaign, periods, indicators


def _allow_many_provinces() -> None:
    """Drop the portal's one-province rule in this (throwaway) database.

    The portal serves one province, and the database refuses a second (units_unit_one_province);
    national-scale benchmark data has 63 of them. Only benchmark databases get here.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS units_unit_one_province")


def generate(
    *,
    provinces: int = 63,
    districts_per_province: int = 11,
    communes_per_district: int = 15,
    organisations_per_province: int = 15,
    years: tuple[int, ...] = (2018, 2019, 2020),
    seed: int = 3198,
    first_province_code: str = "62",
    first_province_name: str = "Tỉnh Kon Tum",
    code_prefix: str = "",
    extra_commune_every: int = 3,
) -> Generated:
    """Bulk-create a synthetic campaign; the defaults give 693 districts and 10,647 communes.

    Every `extra_commune_every`-th district gets one commune more (0: all the same size).
    """
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from campaigns.models import (
        BlocMembership,
        EmulationBloc,
        Registration,
        SponsorshipSupport,
        StepAction,
        Submission,
        SubmissionStatus,
        SubmissionStep,
    )
    from indicators.models import (
        CommuneStatistics,
        ModelResult,
        PovertyModel,
        ReportedValue,
    )
    from units.models import Role, Unit, UnitKind, UnitLevel, User

    started = time.monotonic()
    rng = random.Random(seed)
    years = sorted(years)
    campaign, periods, indicators = _campaign_and_indicators(years)
    result = Generated()
    board, _ = User.objects.get_or_create(
        username=f"{code_prefix}bench-board", defaults={"role": Role.BOARD}
    )
    tz = timezone.get_current_timezone()

    if provinces > 1:
        _allow_many_provinces()
    for p in range(provinces):
        pcode = first_province_code if p == 0 else f"{code_prefix}P{p:02d}"
        province = Unit.objects.create(
            code=pcode,
            name=first_province_name if p == 0 else f"Tỉnh Thử {p:02d}",
            level=UnitLevel.PROVINCE,
            kind=UnitKind.PROVINCE,
        )
        result.provinces.append(province)
        districts = Unit.objects.bulk_create(
            [
                Unit(
                    code=f"{pcode}-{d:03d}",
                    name=f"Huyện Thử {p:02d}-{d:02d}",
                    level=UnitLevel.DISTRICT,
                    kind=UnitKind.DISTRICT,
                    parent=province,
                )
                for d in range(districts_per_province)
            ]
        )
        communes = Unit.objects.bulk_create(
            [
                Unit(
                    code=f"{district.code}-{c:03d}",
                    name=f"Xã Thử {district.code}-{c:03d}",
                    level=UnitLevel.COMMUNE,
                    kind=UnitKind.COMMUNE,
                    parent=district,
                )
                for d, district in enumerate(districts)
                for c in range(
                    communes_per_district
                    + (1 if extra_commune_every and d % extra_commune_every == 0 else 0)
                )
            ],
            batch_size=UNIT_BATCH,
        )
        organisations = Unit.objects.bulk_create(
            [
                Unit(
                    code=f"{pcode}-O{o:02d}",
                    name=f"Sở / Doanh nghiệp Thử {p:02d}-{o:02d}",
                    level=UnitLevel.ORGANISATION,
                    kind=UnitKind.DEPARTMENT if o % 2 else UnitKind.ENTERPRISE,
                    parent=province,
                )
                for o in range(organisations_per_province)
            ]
        )
        result.districts += len(districts)
        result.communes += len(communes)
        result.organisations += len(organisations)

        blocs = EmulationBloc.objects.bulk_create(
            [
                EmulationBloc(
                    campaign=campaign, code=f"{pcode}-districts", name=f"Khối huyện {pcode}"
                ),
                EmulationBloc(
                    campaign=campaign,
                    code=f"{pcode}-agencies",
                    name=f"Khối sở, ngành, doanh nghiệp {pcode}",
                    order=1,
                ),
            ]
        )
        BlocMembership.objects.bulk_create(
            [BlocMembership(bloc=blocs[0], unit=u) for u in districts]
            + [BlocMembership(bloc=blocs[1], unit=u) for u in organisations]
        )

        # Commune statistics: criteria met more often every year; a few communes do not report.
        stats = []
        base = {
            c.pk: (rng.randint(300, 2500), rng.uniform(0.1, 0.6), rng.random()) for c in communes
        }
        for i, year in enumerate(years):
            for c in communes:
                total, poor_share, level = base[c.pk]
                if rng.random() < 0.04:
                    continue
                poor = int(total * max(0.02, poor_share - 0.04 * i))

                def flag(threshold: float, level: float = level, i: int = i) -> bool | None:
                    if rng.random() < 0.03:
                        return None
                    return level + 0.08 * i > threshold

                stats.append(
                    CommuneStatistics(
                        commune=c,
                        year=year,
                        total_households=total,
                        ethnic_minority_households=int(total * 0.5),
                        poor_households=poor,
                        near_poor_households=int(total * 0.1),
                        escaped_poverty=int(total * 0.04),
                        newly_poor=int(total * 0.005),
                        fell_back=int(total * 0.002),
                        paved_road=flag(0.25),
                        adequate_schools=flag(0.35),
                        health_criteria_met=flag(0.3),
                        cultural_house=flag(0.55),
                        source="bench",
                    )
                )
        CommuneStatistics.objects.bulk_create(stats, batch_size=5000)
        result.statistics += len(stats)

        # Yearly reports: every district and agency; the latest year still under review.
        submissions = []
        for year in years:
            period = periods[year]
            latest = year == years[-1]
            for unit in [*districts, *organisations]:
                roll = rng.random()
                if latest and roll < 0.15:
                    status = SubmissionStatus.SUBMITTED
                elif latest and roll < 0.22:
                    status = SubmissionStatus.DRAFT
                elif latest and roll < 0.27:
                    status = SubmissionStatus.RETURNED
                else:
                    status = SubmissionStatus.ACCEPTED
                sent = None
                if status != SubmissionStatus.DRAFT:
                    day = date(year, 12, 15) + timedelta(days=rng.randint(-30, 10))
                    sent = datetime(day.year, day.month, day.day, 9, tzinfo=tz)
                submissions.append(
                    Submission(
                        period=period,
                        unit=unit,
                        status=status,
                        submitted_at=sent,
                        accepted_at=sent + timedelta(days=20)
                        if status == SubmissionStatus.ACCEPTED
                        else None,
                        fund_mobilised_vnd=rng.randint(50, 900) * 1_000_000,
                    )
                )
        submissions = Submission.objects.bulk_create(submissions, batch_size=5000)
        result.submissions += len(submissions)
        by_unit_year = {(s.unit_id, s.period_id): s for s in submissions}
        SubmissionStep.objects.bulk_create(
            [
                SubmissionStep(
                    submission=s,
                    from_status=SubmissionStatus.DRAFT,
                    to_status=SubmissionStatus.SUBMITTED,
                    action=StepAction.SUBMIT,
                    by=board,
                )
                for s in submissions
                if s.submitted_at is not None
            ],
            batch_size=5000,
        )
        # `at` is auto_now_add: move each step back to its report's submission time.
        SubmissionStep.objects.filter(submission__unit__in=[*districts, *organisations]).update(
            at=Subquery(
                Submission.objects.filter(pk=OuterRef("submission_id")).values("submitted_at")[:1]
            )
        )
        Registration.objects.bulk_create(
            [
                Registration(
                    period=periods[year],
                    unit=unit,
                    fund_pledge_vnd=rng.randint(40, 800) * 1_000_000,
                )
                for year in years
                for unit in [*districts, *organisations]
            ],
            batch_size=5000,
        )

        values = []
        for i, year in enumerate(years):
            for district in districts:
                submission = by_unit_year[(district.pk, periods[year].pk)]
                workers = rng.randint(20_000, 60_000)
                people = rng.randint(3_000, 9_000)
                values.append(
                    ReportedValue(
                        submission=submission,
                        indicator=indicators["LABOUR"],
                        numerator=int(workers * min(0.95, rng.uniform(0.35, 0.5) + 0.04 * i)),
                        denominator=workers,
                    )
                )
                values.append(
                    ReportedValue(
                        submission=submission,
                        indicator=indicators["EDU"],
                        numerator=int(people * min(0.95, rng.uniform(0.55, 0.75) + 0.03 * i)),
                        denominator=people,
                    )
                )
        ReportedValue.objects.bulk_create(values, batch_size=5000)

        district_communes: dict[int, list] = {}
        for c in communes:
            district_communes.setdefault(c.parent_id, []).append(c)
        models = PovertyModel.objects.bulk_create(
            [
                PovertyModel(
                    unit=district,
                    commune=rng.choice(district_communes[district.pk]),
                    name=f"Mô hình {district.code}-{m}",
                    start_year=years[0] - 1,
                    participating_households=rng.randint(15, 80),
                )
                for district in districts
                for m in range(3)
            ]
        )
        results = []
        for model in models:
            income = rng.randint(12, 25) * 1_000_000
            for year in years:
                income = int(income * rng.uniform(1.08, 1.24))
                results.append(
                    ModelResult(
                        model=model,
                        year=year,
                        submission=by_unit_year[(model.unit_id, periods[year].pk)],
                        participating_households=model.participating_households,
                        average_income_vnd=income,
                        escaped_households=int(
                            model.participating_households * rng.uniform(0.05, 0.2)
                        ),
                    )
                )
        ModelResult.objects.bulk_create(results, batch_size=5000)

        support = []
        for year in years:
            for unit in organisations:
                submission = by_unit_year[(unit.pk, periods[year].pk)]
                for commune in rng.sample(communes, k=min(2, len(communes))):
                    support.append(
                        SponsorshipSupport(
                            submission=submission,
                            commune=commune,
                            money_vnd=rng.randint(10, 400) * 1_000_000,
                            in_kind_value_vnd=rng.randint(0, 200) * 1_000_000,
                            in_kind="Gạo, áo ấm",
                        )
                    )
        SponsorshipSupport.objects.bulk_create(support, batch_size=5000)

    result.seconds = time.monotonic() - started
    return result


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontum_poverty.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=63)
    parser.add_argument("--districts", type=int, default=11)
    parser.add_argument("--communes", type=int, default=15)
    parser.add_argument("--years", type=int, nargs="+", default=[2018, 2019, 2020])
    args = parser.parse_args()
    generated = generate(
        provinces=args.provinces,
        districts_per_province=args.districts,
        communes_per_district=args.communes,
        years=tuple(args.years),
    )
    print(generated.summary())


if __name__ == "__main__":
    main()
