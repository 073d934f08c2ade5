"""Factories for the models tests/factories.py does not cover yet; they build valid objects too."""

from datetime import date, timedelta

import factory

from campaigns.models import (
    STATUS_ACTION,
    AwardKind,
    AwardProposal,
    CommunicationItem,
    CommunicationKind,
    DeadlineExtension,
    Evidence,
    PeriodEvent,
    PeriodEventKind,
    Registration,
    SponsorshipSupport,
    SubmissionStatus,
    SubmissionStep,
)
from indicators.models import (
    ImportBatch,
    Measure,
    Milestone,
    ModelResult,
    PovertyModel,
    RegisteredTarget,
    ReportedValue,
)
from reports.models import JobState, ReportJob, ReportKind
from tests.factories import (
    CommuneFactory,
    DepartmentFactory,
    DistrictFactory,
    IndicatorFactory,
    PeriodFactory,
    SubmissionFactory,
    UserFactory,
)
from units.models import Sponsorship, UnitChange, UnitFlag, UnitFlagKind, UnitKind


class UnitFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitFlag

    unit = factory.SubFactory(CommuneFactory)
    flag = UnitFlagKind.ESPECIALLY_DIFFICULT
    valid_from = date(2017, 1, 1)
    valid_to = date(2020, 12, 31)
    decision = "900/QĐ-TTg"


class UnitChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitChange

    unit = factory.SubFactory(CommuneFactory)
    effective_on = date(2020, 1, 10)
    name_before = "Xã Cũ"
    kind_before = UnitKind.COMMUNE
    name_after = factory.SelfAttribute("unit.name")
    kind_after = UnitKind.COMMUNE


class SponsorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sponsorship

    sponsor = factory.SubFactory(DepartmentFactory)
    commune = factory.SubFactory(CommuneFactory)
    first_year = 2018
    last_year = 2020


class PeriodEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeriodEvent

    period = factory.SubFactory(PeriodFactory)
    kind = PeriodEventKind.LOCKED
    by = factory.SubFactory(UserFactory, board=True)


class DeadlineExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeadlineExtension

    period = factory.SubFactory(PeriodFactory)
    unit = factory.SubFactory(DistrictFactory)
    deadline = factory.LazyAttribute(lambda o: o.period.deadline + timedelta(days=15))
    reason = "Lũ lụt chia cắt đường giao thông."
    granted_by = factory.SubFactory(UserFactory, board=True)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    period = factory.SubFactory(PeriodFactory)
    unit = factory.SubFactory(DistrictFactory)


class SubmissionStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubmissionStep

    submission = factory.SubFactory(SubmissionFactory)
    from_status = SubmissionStatus.DRAFT
    to_status = SubmissionStatus.SUBMITTED
    action = factory.LazyAttribute(lambda step: STATUS_ACTION[step.to_status])
    by = factory.SubFactory(UserFactory, unit=factory.SelfAttribute("..submission.unit"))


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    submission = factory.SubFactory(SubmissionFactory)
    file = factory.django.FileField(filename="bien-ban.pdf", data=b"%PDF-1.4 evidence")
    original_name = "Biên bản kiểm tra.pdf"
    content_type = "application/pdf"
    size = 17
    sha256 = "0" * 64
    uploaded_by = factory.SubFactory(UserFactory, unit=factory.SelfAttribute("..submission.unit"))


class AwardProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardProposal

    period = factory.SubFactory(PeriodFactory)
    unit = factory.SubFactory(DistrictFactory)
    award = AwardKind.CERTIFICATE


class SponsorshipSupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SponsorshipSupport

    submission = factory.SubFactory(SubmissionFactory, unit=factory.SubFactory(DepartmentFactory))
    commune = factory.SubFactory(CommuneFactory)
    money_vnd = 50_000_000


class CommunicationItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunicationItem

    submission = factory.SubFactory(SubmissionFactory)
    kind = CommunicationKind.ARTICLE
    title = "Chung tay vì người nghèo ở vùng biên giới"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2019
    target_low = 80


class PovertyModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PovertyModel

    unit = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Mô hình nuôi bò sinh sản {n}")
    start_year = 2018
    participating_households = 40


class ModelResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelResult

    model = factory.SubFactory(PovertyModelFactory)
    year = 2019
    participating_households = 40
    average_income_vnd = 30_000_000
    escaped_households = 5


class ReportedValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportedValue

    submission = factory.SubFactory(SubmissionFactory)
    indicator = factory.SubFactory(IndicatorFactory, measure=Measure.RATE, target_low=52)
    numerator = 52
    denominator = 100


class RegisteredTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegisteredTarget

    registration = factory.SubFactory(RegistrationFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    value = 60


class ReportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportJob

    kind = ReportKind.PROVINCE
    requested_by = factory.SubFactory(UserFactory, leader=True)
    fingerprint = factory.Sequence(lambda n: f"{n:064x}")

    class Params:
        done = factory.Trait(
            state=JobState.DONE,
            progress=100,
            file=factory.django.FileField(filename="bao-cao.pdf", data=b"%PDF-1.4 report"),
        )


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportBatch

    year = 2019
    uploaded_by = factory.SubFactory(UserFactory, admin=True)
    file = factory.django.FileField(filename="so-lieu-xa.xlsx", data=b"PK\x03\x04")
    original_name = "Số liệu xã 2019.xlsx"
    size = 4
    sha256 = "1" * 64
