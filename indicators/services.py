"""Workflows on indicators. For now: the eight targets of 3198/UBND-TH and the full seed."""

from decimal import Decimal

from django.db import transaction

from campaigns.models import Campaign
from campaigns.services import CAMPAIGN_3198_NUMBER, campaign_3198_seed
from indicators.help_texts import HELP_3198
from indicators.models import Denominator, Direction, Indicator, Measure
from units.services import Counts, counts_add, rows_upsert, units_load_reference

TARGET_YEAR = 2020

# The eight targets of 3198/UBND-TH, in the order the document presents them.
INDICATORS_3198: tuple[dict[str, object], ...] = (
    {
        "code": "ROAD",
        "name": "Xã có đường ô tô đến trung tâm xã được nhựa hóa hoặc bê tông hóa",
        "description": (
            "Mục tiêu đến năm 2020: 100% số xã có đường ô tô đến trung tâm xã được nhựa hóa "
            "hoặc bê tông hóa. Cách tính: số xã đạt ÷ số xã có số liệu trong năm (theo số "
            "liệu thống kê cấp xã); xã chưa có số liệu được ghi là thiếu số liệu, không tính là "
            "chưa đạt."
        ),
        "measure": Measure.SHARE_OF_COMMUNES,
        "commune_field": "paved_road",
        "denominator": Denominator.COMMUNES,
        "target_wording": (
            "Đến năm 2020: 100% số xã có đường ô tô đến trung tâm xã được nhựa hóa hoặc bê "
            "tông hóa."
        ),
        "target_low": Decimal(100),
    },
    {
        "code": "SCHOOL",
        "name": "Xã có đủ trường mầm non, trường phổ thông và trung tâm học tập cộng đồng",
        "description": (
            "Mục tiêu đến năm 2020: 100% số xã có đủ trường, lớp mầm non, trường phổ thông và "
            "trung tâm học tập cộng đồng. Cách tính: số xã đạt ÷ số xã có số liệu trong năm; "
            "xã chưa có số liệu được ghi là thiếu số liệu, không tính là chưa đạt."
        ),
        "measure": Measure.SHARE_OF_COMMUNES,
        "commune_field": "adequate_schools",
        "denominator": Denominator.COMMUNES,
        "target_wording": (
            "Đến năm 2020: 100% số xã có đủ trường, lớp mầm non, trường phổ thông và trung tâm "
            "học tập cộng đồng."
        ),
        "target_low": Decimal(100),
    },
    {
        "code": "HEALTH",
        "name": "Xã, phường, thị trấn đạt Bộ tiêu chí quốc gia về y tế xã",
        "description": (
            "Mục tiêu đến năm 2020: 100% số xã, phường, thị trấn đạt Bộ tiêu chí quốc gia về "
            "y tế xã. Cách tính: số xã đạt ÷ số xã có số liệu trong năm; xã chưa có số liệu "
            "được ghi là thiếu số liệu, không tính là chưa đạt."
        ),
        "measure": Measure.SHARE_OF_COMMUNES,
        "commune_field": "health_criteria_met",
        "denominator": Denominator.COMMUNE_LEVEL,
        "target_wording": (
            "Đến năm 2020: 100% số xã, phường, thị trấn đạt Bộ tiêu chí quốc gia về y tế xã."
        ),
        "target_low": Decimal(100),
    },
    {
        "code": "INCOME",
        "name": "Thu nhập của hộ nghèo tham gia mô hình giảm nghèo bền vững tăng 15–20%/năm",
        "description": (
            "Mục tiêu: thu nhập của hộ nghèo tham gia các mô hình giảm nghèo bền vững tăng "
            "bình quân 15–20% mỗi năm. Cách tính: với mỗi mô hình, thu nhập bình quân một hộ "
            "năm nay ÷ năm trước − 1; gộp các mô hình theo số hộ tham gia. Trên 20% vẫn là đạt."
        ),
        "measure": Measure.GROWTH,
        "denominator": Denominator.MODEL_UNITS,
        "target_wording": (
            "Thu nhập của hộ nghèo tham gia các mô hình giảm nghèo bền vững tăng bình quân "
            "15–20%/năm."
        ),
        "target_low": Decimal(15),
        "target_high": Decimal(20),
    },
    {
        "code": "ESCAPE",
        "name": "Hộ tham gia mô hình giảm nghèo bền vững thoát nghèo hằng năm",
        "description": (
            "Mục tiêu: bình quân mỗi năm hơn 10% số hộ tham gia mô hình thoát nghèo (đúng 10% "
            "là chưa đạt). Cách tính: số hộ thoát nghèo ÷ số hộ tham gia mô hình, theo từng "
            "năm; mục tiêu được đánh giá theo bình quân các năm đã qua."
        ),
        "measure": Measure.RATE,
        "denominator": Denominator.MODEL_UNITS,
        "target_wording": (
            "Bình quân mỗi năm có hơn 10% hộ tham gia mô hình giảm nghèo bền vững thoát nghèo."
        ),
        "target_strict": True,
        "target_low": Decimal(10),
    },
    {
        "code": "LABOUR",
        "name": "Tỷ lệ lao động qua đào tạo",
        "description": (
            "Mục tiêu đến năm 2020: trên 52% lao động qua đào tạo (đúng 52% là chưa đạt). Đơn "
            "vị báo cáo hai số: số lao động qua đào tạo và tổng số lao động; tỷ lệ của tỉnh là "
            "tổng số lao động qua đào tạo ÷ tổng số lao động, không lấy trung bình tỷ lệ của "
            "các huyện."
        ),
        "measure": Measure.RATE,
        "denominator": Denominator.DISTRICTS,
        "target_wording": "Đến năm 2020: tỷ lệ lao động qua đào tạo đạt trên 52%.",
        "target_strict": True,
        "target_low": Decimal(52),
    },
    {
        "code": "EDU",
        "name": "Tỷ lệ người trong độ tuổi đạt trình độ trung học phổ thông và tương đương",
        "description": (
            "Mục tiêu đến năm 2020: 80% người trong độ tuổi đạt trình độ trung học phổ thông "
            "và tương đương. Đơn vị báo cáo hai số: số người trong độ tuổi đạt trình độ và tổng "
            "số người trong độ tuổi; tỷ lệ của tỉnh là tỷ số của các tổng."
        ),
        "measure": Measure.RATE,
        "denominator": Denominator.DISTRICTS,
        "target_wording": (
            "Đến năm 2020: 80% người trong độ tuổi đạt trình độ trung học phổ thông và tương đương."
        ),
        "target_low": Decimal(80),
    },
    {
        "code": "CULTURE",
        "name": "Xã, phường, thị trấn có nhà văn hóa",
        "description": (
            "Mục tiêu đến năm 2020: 50% số xã, phường, thị trấn có nhà văn hóa. Cách tính: số "
            "xã có nhà văn hóa ÷ số xã có số liệu trong năm; xã chưa có số liệu được ghi là "
            "thiếu số liệu, không tính là chưa đạt."
        ),
        "measure": Measure.SHARE_OF_COMMUNES,
        "commune_field": "cultural_house",
        "denominator": Denominator.COMMUNE_LEVEL,
        "target_wording": "Đến năm 2020: 50% số xã, phường, thị trấn có nhà văn hóa.",
        "target_low": Decimal(50),
    },
)


@transaction.atomic
def indicators_3198_seed(*, campaign: Campaign) -> Counts:
    """Create or refresh the eight indicators of 3198/UBND-TH with their 2020 targets."""
    rows = [
        {
            "campaign_id": campaign.pk,
            "unit_of_measure": "%",
            "direction": Direction.HIGHER_IS_BETTER,
            "target_year": TARGET_YEAR,
            "commune_field": "",
            "target_high": None,
            "target_strict": False,
            **definition,
            "order": order,
        }
        for order, definition in enumerate(INDICATORS_3198, start=1)
    ]
    done = rows_upsert(
        queryset=Indicator.objects.filter(campaign=campaign),
        key=("campaign_id", "code"),
        rows=rows,
    )
    # The help is the Board's once written: a rerun fills only what is still empty.
    for code, texts in HELP_3198.items():
        for field, text in texts.items():
            Indicator.objects.filter(campaign=campaign, code=code, **{field: ""}).update(
                **{field: text}
            )
    return {Indicator._meta.label_lower: done.counts()}


def indicator_help_update(
    *, indicator: Indicator, help_definition: str, description: str, legal_source: str
) -> Indicator:
    """The Board rewrites the help shown beside the indicator's fields and figures."""
    indicator.help_definition = help_definition.strip()
    indicator.description = description.strip()
    indicator.legal_source = legal_source.strip()
    indicator.save(update_fields=["help_definition", "description", "legal_source"])
    return indicator


@transaction.atomic
def reference_data_seed() -> Counts:
    """Load the reference units, then campaign 3198/UBND-TH and its indicators, all or nothing."""
    counts = units_load_reference()
    for label, done in campaign_3198_seed().items():
        counts_add(counts, label, done)
    campaign = Campaign.objects.get(number=CAMPAIGN_3198_NUMBER)
    for label, done in indicators_3198_seed(campaign=campaign).items():
        counts_add(counts, label, done)
    return counts
