"""Factories that build valid objects; traits name the state a test needs."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from campaigns.models import (
    STATUS_ACTION,
    Appraisal,
    AppraisalVerdict,
    AwardDecision,
    AwardForm,
    AwardKind,
    AwardLevel,
    AwardProposal,
    AwardRecord,
    BlocMembership,
    Campaign,
    CommunicationItem,
    CommunicationKind,
    Criterion,
    CriterionScore,
    DeadlineExtension,
    EmulationBloc,
    Evidence,
    Nominee,
    NomineeKind,
    PeriodEvent,
    PeriodEventKind,
    Registration,
    ReportingPeriod,
    SponsorshipSupport,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from campaigns.services import register
from indicators.models import (
    Baseline,
    BaselineChange,
    CommuneStatistics,
    ImportBatch,
    Indicator,
    Measure,
    Milestone,
    ModelResult,
    PovertyModel,
    RegisteredTarget,
    ReportedValue,
)
from reports.models import ApiScope, ApiToken, JobState, ReportJob, ReportKind
from units.models import (
    Role,
    Sponsorship,
    Unit,
    UnitChange,
    UnitFlag,
    UnitFlagKind,
    UnitKind,
    UnitLevel,
    User,
)


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
        dolisa = factory.Trait(role=Role.DOLISA, unit=None)
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


def _award_form(campaign: Campaign, kind: str) -> AwardForm:
    register.award_forms_ensure(campaign=campaign)
    return AwardForm.objects.filter(campaign=campaign, kind=kind).order_by("stage").last()


class AwardProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardProposal

    period = factory.SubFactory(PeriodFactory)
    unit = factory.SubFactory(DistrictFactory)
    award = AwardKind.CERTIFICATE
    # The unit's collective, and the campaign's form of the award (its defaults on first use).
    nominee = factory.LazyAttribute(lambda o: register.collective_nominee(unit=o.unit))
    form = factory.LazyAttribute(lambda o: _award_form(o.period.campaign, o.award))


class NomineeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nominee

    kind = NomineeKind.INDIVIDUAL
    unit = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Ông Nguyễn Văn {n}")
    details = "Trưởng thôn"


class AwardFormFactory(factory.django.DjangoModelFactory):
    """A form of the campaign's own; the defaults of a campaign come from the register."""

    class Meta:
        model = AwardForm

    campaign = factory.SubFactory(CampaignFactory)
    kind = AwardKind.CERTIFICATE
    name = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
    level = AwardLevel.PROVINCE
    authority = "Chủ tịch Ủy ban nhân dân tỉnh"


class AwardDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardDecision

    period = factory.SubFactory(PeriodFactory)
    form = factory.LazyAttribute(lambda o: _award_form(o.period.campaign, AwardKind.CERTIFICATE))
    number = factory.Sequence(lambda n: f"{n + 1}/QĐ-UBND")
    signed_on = date(2020, 4, 15)
    signer_name = "Nguyễn Văn Hòa"
    signer_title = "KT. CHỦ TỊCH – PHÓ CHỦ TỊCH"
    recorded_by = factory.SubFactory(UserFactory, board=True)


class AwardRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardRecord

    nominee = factory.SubFactory(NomineeFactory)
    form = factory.LazyAttribute(lambda o: _award_form(CampaignFactory(), AwardKind.COMMENDATION))
    level = factory.LazyAttribute(lambda o: o.form.level)
    decision_number = factory.Sequence(lambda n: f"{n + 1}/QĐ-UBND")
    decided_on = date(2019, 12, 20)
    granted_by = "Chủ tịch UBND huyện Đắk Hà"
    recorded_by = factory.SubFactory(UserFactory, board=True)


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


class BaselineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Baseline

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2017
    value = 70
    source_document = "Báo cáo số 12/BC-UBND ngày 15/01/2018"
    set_by = factory.SubFactory(UserFactory, board=True)
    set_at = factory.LazyFunction(timezone.now)


class BaselineChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BaselineChange

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2017
    value = 70
    source_document = "Báo cáo số 12/BC-UBND ngày 15/01/2018"
    set_by = factory.SubFactory(UserFactory, board=True)
    set_at = factory.LazyFunction(timezone.now)


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


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token row; tests that send a key issue one with `reports.api.tokens.api_token_issue`."""

    class Meta:
        model = ApiToken

    name = factory.Sequence(lambda n: f"Cổng thông tin {n}")
    account = factory.SubFactory(UserFactory, leader=True)
    scopes = factory.LazyFunction(lambda: [ApiScope.REPORTS])
    prefix = factory.Sequence(lambda n: f"kt_{n:07d}")
    key_hash = factory.Sequence(lambda n: f"{n:064x}")


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportBatch

    year = 2019
    uploaded_by = factory.SubFactory(UserFactory, admin=True)
    file = factory.django.FileField(filename="so-lieu-xa.xlsx", data=b"PK\x03\x04")
    original_name = "Số liệu xã 2019.xlsx"
    size = 4
    sha256 = "1" * 64


class AppraisalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appraisal

    submission = factory.SubFactory(SubmissionFactory, submitted=True)
    period = factory.SelfAttribute("submission.period")
    unit = factory.SelfAttribute("submission.unit")
    submission_version = factory.SelfAttribute("submission.version")
    verdict = AppraisalVerdict.AGREED
    by = factory.SubFactory(UserFactory, dolisa=True)
