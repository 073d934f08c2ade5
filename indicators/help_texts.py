"""The help the eight targets of 3198/UBND-TH start with: what each means and which legal text
defines it. The seed writes them only where the help is still empty; afterwards the Board owns
them (board:help)."""

NEW_RURAL = (
    "Quyết định 1980/QĐ-TTg ngày 17/10/2016 của Thủ tướng Chính phủ ban hành Bộ tiêu chí quốc "
    "gia về xã nông thôn mới giai đoạn 2016–2020"
)
POVERTY_STANDARD = (
    "Quyết định 59/2015/QĐ-TTg ngày 19/11/2015 của Thủ tướng Chính phủ về chuẩn nghèo tiếp cận "
    "đa chiều áp dụng cho giai đoạn 2016–2020"
)
CAMPAIGN = "Kế hoạch 3198/UBND-TH của Ủy ban nhân dân tỉnh Kon Tum (mục tiêu đến năm 2020)"

HELP_3198: dict[str, dict[str, str]] = {
    "ROAD": {
        "help_definition": (
            "Xã có đường ô tô từ trung tâm huyện đến trung tâm xã đã được nhựa hóa hoặc bê tông "
            "hóa, đi lại thuận tiện quanh năm."
        ),
        "legal_source": f"{NEW_RURAL}: Tiêu chí số 2 (Giao thông), chỉ tiêu 2.1. {CAMPAIGN}.",
    },
    "SCHOOL": {
        "help_definition": (
            "Xã có trường mầm non, trường tiểu học, trường trung học cơ sở có cơ sở vật chất và "
            "thiết bị dạy học đạt chuẩn quốc gia, và có trung tâm học tập cộng đồng."
        ),
        "legal_source": f"{NEW_RURAL}: Tiêu chí số 5 (Trường học), chỉ tiêu 5. {CAMPAIGN}.",
    },
    "HEALTH": {
        "help_definition": (
            "Xã, phường, thị trấn được công nhận đạt Bộ tiêu chí quốc gia về y tế xã (trạm y tế "
            "xã đạt chuẩn)."
        ),
        "legal_source": (
            f"{NEW_RURAL}: Tiêu chí số 15 (Y tế), chỉ tiêu 15.2 (xã đạt tiêu chí quốc gia về y "
            f"tế). {CAMPAIGN}."
        ),
    },
    "INCOME": {
        "help_definition": (
            "Mức tăng thu nhập bình quân của hộ nghèo tham gia mô hình giảm nghèo bền vững so "
            "với năm trước. Hộ nghèo xác định theo chuẩn nghèo tiếp cận đa chiều 2016–2020 "
            "(khu vực nông thôn: thu nhập bình quân từ 700.000 đồng/người/tháng trở xuống)."
        ),
        "legal_source": (
            f"{POVERTY_STANDARD}: Điều 1 khoản 1 (tiêu chí thu nhập) và Điều 2 khoản 1 (chuẩn "
            f"hộ nghèo). {CAMPAIGN}."
        ),
    },
    "ESCAPE": {
        "help_definition": (
            "Tỷ lệ hộ nghèo tham gia mô hình giảm nghèo bền vững đã thoát nghèo trong năm, tức "
            "không còn là hộ nghèo theo chuẩn nghèo tiếp cận đa chiều 2016–2020."
        ),
        "legal_source": (
            f"{POVERTY_STANDARD}: Điều 2 khoản 1 (chuẩn hộ nghèo) và khoản 2 (chuẩn hộ cận "
            f"nghèo). {CAMPAIGN}."
        ),
    },
    "LABOUR": {
        "help_definition": (
            "Tỷ lệ lao động đã qua đào tạo (có chứng chỉ, bằng cấp hoặc qua các lớp đào tạo "
            "nghề) trong tổng số lao động của địa bàn."
        ),
        "legal_source": (
            f"{NEW_RURAL}: Tiêu chí số 14 (Giáo dục và Đào tạo), chỉ tiêu 14.3 (tỷ lệ lao "
            f"động có việc làm qua đào tạo). {CAMPAIGN}."
        ),
    },
    "EDU": {
        "help_definition": (
            "Tỷ lệ người trong độ tuổi đã đạt trình độ trung học phổ thông hoặc tương đương "
            "(bổ túc, trung cấp)."
        ),
        "legal_source": (
            f"{NEW_RURAL}: Tiêu chí số 14 (Giáo dục và Đào tạo), chỉ tiêu 14.2 (học sinh tốt "
            f"nghiệp trung học cơ sở tiếp tục học trung học). {CAMPAIGN}."
        ),
    },
    "CULTURE": {
        "help_definition": (
            "Xã, phường, thị trấn có nhà văn hóa hoặc hội trường đa năng phục vụ sinh hoạt văn "
            "hóa, thể thao của toàn xã."
        ),
        "legal_source": (
            f"{NEW_RURAL}: Tiêu chí số 6 (Cơ sở vật chất văn hóa), chỉ tiêu 6.1. {CAMPAIGN}."
        ),
    },
}
