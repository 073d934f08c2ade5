"""Demo figures: commune statistics for 2018–2019 and poverty-reduction models with results."""

from campaigns.models import Submission
from campaigns.services import BLOC_DISTRICTS
from indicators.models import (
    CommuneStatistics,
    Deprivation,
    HouseholdGroup,
    ModelResult,
    PovertyModel,
    deprivation_field,
)
from kontum_poverty.demo.context import DEMO_YEARS, DemoContext, rng_for
from units.models import Unit, UnitKind
from units.services import Row, counts_add, rows_upsert

DEMO_SOURCE = "Dữ liệu mẫu để trình diễn, không phải số liệu chính thức"
MODEL_TEMPLATES = (
    "Mô hình nuôi bò sinh sản",
    "Mô hình trồng sâm dây",
    "Mô hình trồng cà phê xen canh",
    "Mô hình nuôi heo đen địa phương",
    "Mô hình trồng chanh dây",
    "Mô hình nuôi gà thả vườn",
    "Mô hình trồng dược liệu dưới tán rừng",
    "Mô hình nuôi cá nước ngọt",
    "Mô hình trồng bời lời đỏ",
    "Mô hình trồng rau an toàn",
)
# (households, poor share, ethnic-minority share, chance of meeting a criterion) by kind of
# commune: wards are large and better off, Program 135 communes small and poorest.
PROFILES = {
    "ward": ((1800, 4000), (0.05, 0.10), (0.05, 0.30), 0.9),
    "township": ((1200, 3000), (0.06, 0.15), (0.30, 0.60), 0.8),
    "p135": ((300, 1200), (0.28, 0.50), (0.85, 0.99), 0.45),
    "commune": ((400, 1800), (0.10, 0.30), (0.40, 0.85), 0.7),
}

# Share of poor households lacking each indicator of the multidimensional standard in a
# mountain commune: water, latrines and information weigh most, health insurance least (the
# poor receive a card). Near-poor households lack each about half as often.
DEPRIVATION_SHARES = {
    Deprivation.HEALTH_SERVICES: 0.08,
    Deprivation.HEALTH_INSURANCE: 0.04,
    Deprivation.ADULT_SCHOOLING: 0.35,
    Deprivation.CHILD_SCHOOLING: 0.12,
    Deprivation.HOUSING_QUALITY: 0.30,
    Deprivation.HOUSING_AREA: 0.16,
    Deprivation.CLEAN_WATER: 0.42,
    Deprivation.LATRINE: 0.55,
    Deprivation.TELECOM: 0.22,
    Deprivation.INFORMATION_ASSETS: 0.45,
}
NEAR_POOR_FACTOR = 0.5
# Each year's programmes close part of the gaps.
YEARLY_IMPROVEMENT = 0.12


def _deprivations(unit: Unit, year_index: int, poor: int, near_poor: int) -> dict[str, int | None]:
    """Households lacking each indicator; one commune in seven gave none (blank, not zero)."""
    rng = rng_for("deprivation", f"{unit.code}-{year_index}")
    silent = rng_for("deprivation", unit.code).random() < 1 / 7
    counts: dict[str, int | None] = {}
    for group, total, factor in (
        (HouseholdGroup.POOR, poor, 1.0),
        (HouseholdGroup.NEAR_POOR, near_poor, NEAR_POOR_FACTOR),
    ):
        for code, share in DEPRIVATION_SHARES.items():
            lacking = total * share * factor * (1 - YEARLY_IMPROVEMENT) ** year_index
            counts[deprivation_field(group, code)] = (
                None if silent else min(total, round(lacking * rng.uniform(0.7, 1.3)))
            )
    return counts


def _commune_years(unit: Unit, *, p135: bool) -> list[Row]:
    """Two years of one commune, with poor(2019) = poor(2018) − escaped + newly + fell back."""
    rng = rng_for("statistics", unit.code)
    profile = "p135" if p135 and unit.kind == UnitKind.COMMUNE else unit.kind
    (low, high), poor_share, ethnic_share, quality = PROFILES.get(profile, PROFILES["commune"])
    households = rng.randint(low, high)
    ethnic = rng.uniform(*ethnic_share)
    poor = round(households * rng.uniform(*poor_share))
    near_poor = round(households * rng.uniform(0.05, 0.15))
    chances = {
        "paved_road": quality + 0.25,
        "adequate_schools": quality + 0.1,
        "health_criteria_met": quality,
        "cultural_house": quality - 0.25,
    }
    met = {name: rng.random() < chance for name, chance in chances.items()}
    years = []
    for index, year in enumerate(DEMO_YEARS):
        escaped = round(poor * rng.uniform(0.12, 0.25))
        newly = round(poor * rng.uniform(0.01, 0.04))
        fell_back = round(poor * rng.uniform(0.0, 0.02))
        if year > DEMO_YEARS[0]:
            households += round(households * rng.uniform(0.005, 0.025))
            poor = poor - escaped + newly + fell_back
            near_poor = min(households, near_poor + round(escaped * rng.uniform(0.2, 0.5)))
            # Works finished during the year: a commune that met a criterion keeps it.
            met = {name: ok or rng.random() < 0.25 for name, ok in met.items()}
        years.append(
            {
                "commune_id": unit.pk,
                "year": year,
                "total_households": households,
                "ethnic_minority_households": round(households * ethnic),
                "poor_households": poor,
                "near_poor_households": near_poor,
                # Poverty weighs more on ethnic-minority households: their share of the poor is
                # above their share of households (no random draw, so other figures stay put).
                "poor_ethnic_minority_households": round(poor * (ethnic + (1 - ethnic) / 2)),
                "near_poor_ethnic_minority_households": round(
                    near_poor * (ethnic + (1 - ethnic) / 3)
                ),
                "escaped_poverty": escaped,
                "newly_poor": newly,
                "fell_back": fell_back,
                # The ethnic-minority part of each movement follows their share of the poor,
                # again without a random draw.
                "escaped_poverty_ethnic_minority": round(escaped * (ethnic + (1 - ethnic) / 2)),
                "newly_poor_ethnic_minority": round(newly * (ethnic + (1 - ethnic) / 2)),
                "fell_back_ethnic_minority": round(fell_back * (ethnic + (1 - ethnic) / 2)),
                # About one value in twenty is not reported: missing, which is not failing.
                **{name: (None if rng.random() < 0.05 else ok) for name, ok in met.items()},
                **_deprivations(unit, index, poor, near_poor),
                "source": DEMO_SOURCE,
                "is_demo": True,
            }
        )
    return years


def commune_statistics_load(context: DemoContext) -> None:
    """Figures for every commune and demo year that has none; real figures are never touched."""
    communes = Unit.objects.communes().filter(is_demo=False).order_by("code")
    rows = [
        row
        for commune in communes
        for row in _commune_years(commune, p135=commune.pk in context.p135_ids)
    ]
    done = rows_upsert(
        queryset=CommuneStatistics.objects.filter(year__in=DEMO_YEARS),
        key=("commune_id", "year"),
        rows=rows,
        update_existing=False,
    )
    counts_add(context.counts, CommuneStatistics._meta.label_lower, done.counts())


def poverty_models_load(
    context: DemoContext, *, submissions: dict[tuple[int, int], Submission]
) -> None:
    """Two models per district, with yearly results from their start, tied to the demo reports."""
    rows, plans = [], {}
    for index, district in enumerate(context.members(BLOC_DISTRICTS)):
        rng = rng_for("models", district.code)
        communes = sorted(
            Unit.objects.communes().filter(parent=district, kind=UnitKind.COMMUNE),
            key=lambda commune: (commune.pk not in context.p135_ids, commune.code),
        )
        for number in range(2):
            commune = communes[min(number, len(communes) - 1)] if communes else None
            template = MODEL_TEMPLATES[(index * 2 + number) % len(MODEL_TEMPLATES)]
            name = f"{template} – {(commune or district).name} (dữ liệu mẫu)"
            start, households = rng.choice((2017, 2017, 2018)), rng.randint(15, 80)
            rows.append(
                {
                    "unit_id": district.pk,
                    "commune_id": commune.pk if commune else None,
                    "name": name,
                    "start_year": start,
                    "participating_households": households,
                    "description": "Hỗ trợ giống, vốn và kỹ thuật cho hộ nghèo, hộ cận nghèo.",
                    "is_demo": True,
                }
            )
            plans[(district.pk, name)] = (district.code, rng.uniform(14, 24))
    done = rows_upsert(
        queryset=PovertyModel.objects.filter(unit__in=context.members(BLOC_DISTRICTS)),
        key=("unit_id", "name"),
        rows=rows,
        update_existing=False,
    )
    counts_add(context.counts, PovertyModel._meta.label_lower, done.counts())

    results = []
    for key, model in done.objects.items():
        if not model.is_demo:
            continue
        district_code, income = plans[key]
        rng = rng_for("model-results", district_code, model.name)
        for year in range(model.start_year, DEMO_YEARS[-1] + 1):
            if year > model.start_year:
                income *= 1 + rng.uniform(0.12, 0.24)
            submission = submissions.get((year, model.unit_id))
            results.append(
                {
                    "model_id": model.pk,
                    "year": year,
                    # A real report never gets made-up results attached.
                    "submission_id": submission.pk if submission and submission.is_demo else None,
                    "participating_households": model.participating_households,
                    "average_income_vnd": int(round(income * 1_000_000, -5)),
                    "escaped_households": round(
                        model.participating_households * rng.uniform(0.06, 0.2)
                    ),
                }
            )
    done_results = rows_upsert(
        queryset=ModelResult.objects.filter(model__in=done.objects.values()),
        key=("model_id", "year"),
        rows=results,
        update_existing=False,
    )
    counts_add(context.counts, ModelResult._meta.label_lower, done_results.counts())
