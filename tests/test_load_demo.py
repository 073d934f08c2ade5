from collections import defaultdict
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from campaigns.models import (
    Campaign,
    Criterion,
    CriterionScore,
    DeadlineExtension,
    Registration,
    ReportingPeriod,
    Submission,
    SubmissionStatus,
)
from indicators.models import CommuneStatistics, ModelResult, PovertyModel, ReportedValue
from kontum_poverty.demo import demo_load
from tests.factories import UserFactory
from units.models import Role, Sponsorship, Unit, UnitFlag, UnitKind, UnitLevel, User

pytestmark = pytest.mark.django_db

DISTRICTS = ("608", "610", "611", "612", "613", "614", "615", "616", "617", "618")
LOGINS = ("admin", "board", "leader", "dolisa", "officer-snv", "officer-dn-demo") + tuple(
    f"officer-{code}" for code in DISTRICTS
)


def snapshot():
    """Every row of every table of the portal's apps, to prove a rerun changed nothing."""
    models = [
        model
        for label in ("units", "campaigns", "indicators")
        for model in apps.get_app_config(label).get_models()
    ]
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())


def test_load_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo", stdout=StringIO())

    assert not User.objects.exists()
    assert not Campaign.objects.exists()


def test_load_demo_runs_with_force_when_debug_is_off(settings):
    settings.DEBUG = False

    call_command("load_demo", "--force", stdout=StringIO())

    assert Submission.objects.filter(is_demo=True).exists()


def test_load_demo_seeds_the_campaign_first_when_it_is_missing(demo):
    assert Campaign.objects.get().number == "3198/UBND-TH"
    assert Unit.objects.filter(level=UnitLevel.COMMUNE).count() == 102
    assert UnitFlag.objects.count() == 39


def test_demo_logins_use_the_demo_password(demo):
    for username in LOGINS:
        user = User.objects.get(username=username)
        assert user.check_password("kontum2017"), username
        assert user.is_demo and user.is_active


def test_demo_logins_have_made_up_addresses_on_a_reserved_domain(demo):
    addresses = User.objects.filter(username__in=LOGINS).values_list("email", flat=True)
    assert addresses and all(address.endswith(".invalid") for address in addresses)


def test_demo_logins_have_their_roles_and_units(demo):
    users = {u.username: u for u in User.objects.select_related("unit")}

    assert users["admin"].role == Role.ADMIN
    assert users["admin"].is_staff and users["admin"].is_superuser
    assert users["board"].role == Role.BOARD
    assert users["leader"].role == Role.LEADER
    assert users["dolisa"].role == Role.DOLISA
    assert not (users["board"].is_staff or users["leader"].is_superuser)
    for code in (*DISTRICTS, "snv"):
        officer = users[f"officer-{code}"]
        assert (officer.role, officer.unit.code) == (Role.OFFICER, code)


def test_the_demo_enterprise_is_marked_demo_and_in_the_enterprise_bloc(demo):
    enterprise = Unit.objects.get(code="dn-demo")

    assert enterprise.is_demo
    assert enterprise.kind == UnitKind.ENTERPRISE
    assert list(enterprise.blocs.values_list("code", flat=True)) == ["enterprises"]
    assert User.objects.get(username="officer-dn-demo").unit == enterprise
    assert list(Unit.objects.filter(kind=UnitKind.ENTERPRISE)) == [enterprise]


def test_demo_has_reports_in_every_status_for_2018_and_2019(demo):
    seen = defaultdict(set)
    for year, status in Submission.objects.values_list("period__year", "status"):
        seen[year].add(status)

    assert dict(seen) == {
        2018: set(SubmissionStatus.values),
        2019: set(SubmissionStatus.values),
    }
    assert not Submission.objects.filter(is_demo=False).exists()


def test_demo_sponsorships_are_marked_as_demo(demo):
    assert Sponsorship.objects.exists()
    assert not Sponsorship.objects.filter(is_demo=False).exists()


def test_demo_report_steps_tell_a_consistent_story(demo):
    for submission in Submission.objects.prefetch_related("steps"):
        steps = list(submission.steps.order_by("at", "pk"))
        status = SubmissionStatus.DRAFT
        for version, step in enumerate(steps, start=2):
            assert step.from_status == status
            assert step.version == version
            assert step.at.year == submission.period.year
            if step.to_status == SubmissionStatus.RETURNED:
                assert step.comment
                assert step.by.role == Role.BOARD
            status = step.to_status
        assert status == submission.status
        assert submission.version == len(steps) + 1
        assert (submission.submitted_at is not None) == (status != SubmissionStatus.DRAFT)
        assert (submission.accepted_at is not None) == (status == SubmissionStatus.ACCEPTED)
        assert bool(submission.classification) == (status == SubmissionStatus.ACCEPTED)
    returned = Submission.objects.filter(status=SubmissionStatus.RETURNED)
    assert all(s.steps.filter(to_status=SubmissionStatus.RETURNED).exists() for s in returned)


def test_demo_scores_cover_every_leaf_criterion_within_its_maximum(demo):
    for submission in Submission.objects.select_related("unit"):
        bloc = submission.unit.blocs.get()
        leaves = set(
            Criterion.objects.filter(bloc=bloc, children__isnull=True).values_list("pk", flat=True)
        )
        scores = list(submission.scores.select_related("criterion"))
        assert {s.criterion_id for s in scores} == leaves
        for score in scores:
            assert score.max_points == score.criterion.max_points
            assert score.self_points is None or 0 <= score.self_points <= score.max_points
            if submission.status == SubmissionStatus.ACCEPTED:
                assert 0 <= score.board_points <= score.max_points
            else:
                assert score.board_points is None
            if submission.status != SubmissionStatus.DRAFT:
                assert score.self_points is not None
    assert CriterionScore.objects.exists()


def test_demo_commune_figures_cover_every_commune_and_add_up(demo):
    p135 = set(UnitFlag.objects.values_list("unit_id", flat=True))
    by_commune = defaultdict(dict)
    for row in CommuneStatistics.objects.all():
        by_commune[row.commune_id][row.year] = row

    assert len(by_commune) == 102
    assert CommuneStatistics.objects.filter(is_demo=False).count() == 0
    for rows in by_commune.values():
        before, after = rows[2018], rows[2019]
        assert 300 <= before.total_households <= 4000
        assert after.poor_households == (
            before.poor_households - after.escaped_poverty + after.newly_poor + after.fell_back
        )
        assert after.poor_households < before.poor_households
    share = {
        group: sum(r[2018].poor_households for c, r in by_commune.items() if (c in p135) == group)
        / sum(r[2018].total_households for c, r in by_commune.items() if (c in p135) == group)
        for group in (True, False)
    }
    assert share[True] > share[False]
    assert CommuneStatistics.objects.filter(paved_road__isnull=True).exists()


def test_demo_ethnic_minority_movements_are_a_plausible_part_of_all_households(demo):
    rows = list(CommuneStatistics.objects.all())

    for row in rows:
        for part, whole in (
            (row.escaped_poverty_ethnic_minority, row.escaped_poverty),
            (row.newly_poor_ethnic_minority, row.newly_poor),
            (row.fell_back_ethnic_minority, row.fell_back),
        ):
            assert part is not None and part <= whole
    # Ethnic minorities weigh more among those who escape poverty than among all households.
    escaped_share = sum(r.escaped_poverty_ethnic_minority for r in rows) / sum(
        r.escaped_poverty for r in rows
    )
    household_share = sum(r.ethnic_minority_households for r in rows) / sum(
        r.total_households for r in rows
    )
    assert household_share < escaped_share < 1


def test_districts_report_rates_as_two_counts(demo):
    values = ReportedValue.objects.select_related("indicator", "submission__unit")

    assert {v.indicator.code for v in values} == {"LABOUR", "EDU"}
    assert {v.submission.unit.level for v in values} == {UnitLevel.DISTRICT}
    assert all(v.value is None and 0 < v.numerator <= v.denominator for v in values)


def test_demo_has_registrations_models_and_results_for_every_district(demo):
    assert Registration.objects.filter(is_demo=True).count() == 2 * 26
    assert Registration.objects.filter(unit__code="610", targets__isnull=False).exists()
    for code in DISTRICTS:
        models = PovertyModel.objects.filter(unit__code=code, is_demo=True)
        assert models.count() == 2
        assert ModelResult.objects.filter(model__in=models, year=2019).count() == 2


def test_demo_officers_may_still_report_the_campaigns_last_year(demo):
    period = ReportingPeriod.objects.get(year=2020)
    today = timezone.localdate()
    extension = DeadlineExtension.objects.get(period=period, unit__code="610")

    assert period.deadline < today  # the real deadline is long past
    assert extension.deadline > today
    assert extension.granted_by.username == "board"
    assert DeadlineExtension.objects.filter(period=period).count() == 26


def test_rerunning_load_demo_creates_and_changes_nothing(demo):
    before = snapshot()

    counts = demo_load()

    assert all(done["created"] == 0 and done["updated"] == 0 for done in counts.values())
    assert snapshot() == before


def test_load_demo_never_overwrites_real_commune_figures(settings):
    settings.DEBUG = True
    call_command("seed_campaign", stdout=StringIO())
    commune = Unit.objects.get(code="23281")
    real = CommuneStatistics.objects.create(
        commune=commune, year=2018, total_households=1234, poor_households=56
    )

    call_command("load_demo", stdout=StringIO())

    real.refresh_from_db()
    assert (real.total_households, real.poor_households, real.is_demo) == (1234, 56, False)
    assert CommuneStatistics.objects.filter(commune=commune, year=2019, is_demo=True).exists()


def test_load_demo_refuses_to_take_over_a_real_account(settings):
    settings.DEBUG = True
    UserFactory(username="board", board=True)

    with pytest.raises(ValidationError) as excinfo:
        demo_load()

    assert excinfo.value.code == "demo_login_taken"
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=StringIO())
    assert User.objects.get(username="board").check_password("secret-pass-123")
    assert not Submission.objects.exists()


def test_load_demo_gives_a_changed_demo_password_back(demo):
    officer = User.objects.get(username="officer-610")
    officer.set_password("something-else-2019")
    officer.save()

    counts = demo_load()

    officer.refresh_from_db()
    assert officer.check_password("kontum2017")
    assert counts["units.user"]["updated"] == 1
