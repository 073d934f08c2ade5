"""Demo drafts of the Board's texts: the 2019 mid-term review and the 2020 final review.

Plausible wording for sections II–V, saved as the demo Board's first version and not approved,
so the papers print as drafts. A document that already has a text is left as it is.
"""

from django.db import transaction

from kontum_poverty.demo.context import DemoContext
from reports.models import BoardDocument, NarrativeKind, NarrativeVersion
from units.services import counts_add

DEMO_NOTE = "Bản thảo mẫu (dữ liệu demo)"

INTERIM = {
    "shortcomings": (
        "Một số địa phương chưa quan tâm đúng mức đến việc cụ thể hóa nội dung phong trào thành "
        "chỉ tiêu thi đua của đơn vị; việc báo cáo kết quả còn chậm so với thời hạn.\n\n"
        "Kết quả giảm nghèo ở các xã đặc biệt khó khăn, xã biên giới chưa thật sự bền vững; tỷ "
        "lệ hộ tái nghèo, hộ nghèo phát sinh mới còn cao ở một số huyện.\n\n"
        "Nguyên nhân: điều kiện tự nhiên khó khăn, thiên tai, dịch bệnh trên cây trồng, vật "
        "nuôi; nguồn lực huy động xã hội hóa còn hạn chế; một bộ phận người dân còn tâm lý trông "
        "chờ, ỷ lại vào sự hỗ trợ của Nhà nước."
    ),
    "lessons": (
        "Sự lãnh đạo, chỉ đạo sâu sát của cấp ủy, chính quyền các cấp và sự phối hợp chặt chẽ "
        "giữa Mặt trận Tổ quốc, các đoàn thể là yếu tố quyết định.\n\n"
        "Phải lấy người dân làm trung tâm, phát huy nội lực của hộ nghèo; nhân rộng các mô hình "
        "giảm nghèo bền vững có hiệu quả, phù hợp với điều kiện từng địa phương."
    ),
    "directions": (
        "Tiếp tục đẩy mạnh tuyên truyền, phấn đấu hoàn thành các mục tiêu của phong trào đến năm "
        "2020; tập trung hỗ trợ các xã đặc biệt khó khăn, xã biên giới.\n\n"
        "Tăng cường vận động Quỹ “Vì người nghèo”, đỡ đầu các xã đặc biệt khó khăn; nâng cao chất "
        "lượng đào tạo nghề cho lao động nông thôn."
    ),
    "proposals": (
        "Đề nghị Ủy ban nhân dân tỉnh bố trí kinh phí khen thưởng kịp thời cho các tập thể, cá "
        "nhân có thành tích tiêu biểu trong phong trào; chỉ đạo các sở, ngành lồng ghép các "
        "chương trình, dự án hỗ trợ giảm nghèo trên địa bàn các xã đặc biệt khó khăn."
    ),
}

FINAL = {
    "shortcomings": (
        "Một số chỉ tiêu chưa đạt mục tiêu đề ra đến năm 2020; số liệu của một số xã còn thiếu, "
        "chưa phản ánh đầy đủ kết quả thực hiện.\n\n"
        "Nguyên nhân chủ yếu do xuất phát điểm thấp, địa bàn rộng, giao thông đi lại khó khăn "
        "và nguồn lực đầu tư còn phân tán."
    ),
    "lessons": (
        "Phong trào chỉ thực sự hiệu quả khi gắn với các chương trình mục tiêu quốc gia và được "
        "theo dõi, đánh giá thường xuyên bằng số liệu được kiểm chứng."
    ),
    "directions": (
        "Triển khai phong trào giai đoạn 2021–2025 theo chuẩn nghèo đa chiều mới (Nghị định số "
        "07/2021/NĐ-CP); kế thừa các mô hình giảm nghèo hiệu quả của giai đoạn 2017–2020."
    ),
    "proposals": (
        "Đề nghị Trung ương tiếp tục ưu tiên nguồn lực cho các tỉnh miền núi, biên giới; đề nghị "
        "Thủ tướng Chính phủ tặng Bằng khen cho các tập thể có thành tích xuất sắc."
    ),
}


@transaction.atomic
def narratives_load(context: DemoContext) -> None:
    """The demo Board's first drafts of the two review reports, unless a text exists."""
    board = context.users["board"]
    campaign = context.campaign
    made = 0
    for kind, year, texts in (
        (NarrativeKind.INTERIM, 2019, INTERIM),
        (NarrativeKind.FINAL, campaign.last_year, FINAL),
    ):
        if BoardDocument.objects.filter(campaign=campaign, kind=kind).exists():
            continue
        document = BoardDocument.objects.create(campaign=campaign, kind=kind, year=year)
        NarrativeVersion.objects.create(
            document=document, number=1, written_by=board, note=DEMO_NOTE, **texts
        )
        made += 1
    counts_add(context.counts, BoardDocument._meta.label_lower, {"created": made})
