"""Factories that build valid objects; traits name the state a test needs."""

from datetime import date

import factory
from django.utils import timezone

from campaigns.models import (
    BlocMembership,
    Campaign,
    Criterion,
    CriterionScore,
    EmulationBloc,
    ReportingPeriod,
    Submission,
    SubmissionStatus,
)
from indicators.models import CommuneStatistics, Indicator, Measure
from units.models import Role, Unit, UnitKind, UnitLevel, User


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = "62"
    name = "Tỉnh Kon Tum"
    level = UnitLevel.PROVINCE
    kind = UnitKind.PROVINCE
    parent = None


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"{700 + n}")
    name = factory.Sequence(lambda n: f"Huyện Thử {n}")
    level = UnitLevel.DISTRICT
    kind = UnitKind.DISTRICT
    parent = factory.SubFactory(ProvinceFactory)


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"{90000 + n}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    level = UnitLevel.COMMUNE
    kind = UnitKind.COMMUNE
    parent = factory.SubFactory(DistrictFactory)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"Sở Thử {n}")
    level = UnitLevel.ORGANISATION
    kind = UnitKind.DEPARTMENT
    parent = factory.SubFactory(ProvinceFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OFFICER
    unit = factory.SubFactory(DistrictFactory)
    password = factory.django.Password("secret-pass-123")

    class Params:
        board = factory.Trait(role=Role.BOARD, unit=None)
        leader = factory.Trait(role=Role.LEADER, unit=None)
        admin = factory.Trait(role=Role.ADMIN, unit=None, is_staff=True, is_superuser=True)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("number",)

    number = "3198/UBND-TH"
    title = "Cả nước chung tay vì người nghèo – Không để ai bị bỏ lại phía sau"
    issuing_body = "Ủy ban nhân dân tỉnh Kon Tum"
    issued_on = date(2017, 11, 28)
    first_year = 2018
    last_year = 2020


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod
        django_get_or_create = ("campaign", "year")

    campaign = factory.SubFactory(CampaignFactory)
    year = 2019
    opens_on = factory.LazyAttribute(lambda o: date(o.year, 1, 1))
    deadline = factory.LazyAttribute(lambda o: date(o.year + 1, 1, 15))


class BlocFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmulationBloc

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"bloc-{n}")
    name = factory.Sequence(lambda n: f"Khối {n}")


class BlocMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlocMembership

    bloc = factory.SubFactory(BlocFactory)
    unit = factory.SubFactory(DistrictFactory)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    bloc = factory.SubFactory(BlocFactory)
    campaign = factory.SelfAttribute("bloc.campaign")
    code = factory.Sequence(lambda n: f"C{n}")
    name = factory.Sequence(lambda n: f"Tiêu chí {n}")
    max_points = 20


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    period = factory.SubFactory(PeriodFactory)
    unit = factory.SubFactory(DistrictFactory)
    status = SubmissionStatus.DRAFT

    class Params:
        submitted = factory.Trait(
            status=SubmissionStatus.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now)
        )
        accepted = factory.Trait(
            status=SubmissionStatus.ACCEPTED,
            submitted_at=factory.LazyFunction(timezone.now),
            accepted_at=factory.LazyFunction(timezone.now),
        )


class CriterionScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriterionScore

    submission = factory.SubFactory(SubmissionFactory)
    criterion = factory.SubFactory(CriterionFactory)
    max_points = factory.SelfAttribute("criterion.max_points")
    self_points = None
    board_points = None
    # The database asks a reason for Board points that differ from the unit's own.
    board_justification = factory.LazyAttribute(
        lambda score: (
            ""
            if score.board_points is None or score.board_points == score.self_points
            else "Theo kết quả thẩm định của Ban."
        )
    )


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"IND{n}")
    name = factory.Sequence(lambda n: f"Chỉ tiêu {n}")
    measure = Measure.SHARE_OF_COMMUNES
    target_low = 100
    target_year = 2020


class CommuneStatisticsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommuneStatistics

    commune = factory.SubFactory(CommuneFactory)
    year = 2019
    total_households = 1000
    poor_households = 200
