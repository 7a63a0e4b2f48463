"""Texts of ``summary.md`` (sections ``summary``, ``investment`` and ``kind_count``)."""

SUMMARY = {
    "vi": {
        "title": "Kết quả rà soát hạ tầng số",
        "run": "Lượt chạy", "date": "Ngày chạy",
        "generated": "Dữ liệu mẫu được tạo tự động (không phải số liệu điều tra)",
        "targets": "So với chỉ tiêu", "province": "Tỉnh", "indicator": "Chỉ tiêu",
        "value": "Hiện trạng", "threshold": "Mục tiêu", "year": "Năm", "met": "Đạt",
        "short": "Còn thiếu", "instrument": "Văn bản", "yes": "Đạt", "no": "Chưa đạt",
        "overview": "Tổng quan", "communes": "Số xã/phường", "villages": "Số thôn/tổ dân phố",
        "population": "Dân số", "accounting": "Kiểm đếm dữ liệu đầu vào", "layer": "Lớp",
        "file": "Tệp", "read": "Đọc", "used": "Dùng", "repaired": "Đã sửa", "rejected": "Loại",
        "investment": "Kế hoạch đầu tư", "all": "Tổng",
    },
    "en": {
        "title": "Digital-infrastructure gap review",
        "run": "Run", "date": "Run date", "generated": "Generated sample data (not survey data)",
        "targets": "Against the targets", "province": "Province", "indicator": "Indicator",
        "value": "Now", "threshold": "Target", "year": "Year", "met": "Met",
        "short": "Short by", "instrument": "Instrument", "yes": "met", "no": "not met",
        "overview": "Overview", "communes": "Communes", "villages": "Villages",
        "population": "Population", "accounting": "Input rows accounted for", "layer": "Layer",
        "file": "File", "read": "Read", "used": "Used", "repaired": "Repaired",
        "rejected": "Rejected", "investment": "Investment plan", "all": "All",
    },
}

INVESTMENT = {
    "vi": {
        "budget": "Ngân sách", "none": "không giới hạn", "preset": "Cách xếp hạng",
        "method": "Phương pháp chọn", "gaps": "Thôn còn khoảng trống",
        "costed": "trong đó cần đầu tư hạ tầng", "power": "cần điện lưới trước",
        "all": "Đóng mọi khoảng trống đã tính chi phí", "in": "Trong ngân sách",
        "villages": "thôn", "people": "người được phục vụ",
        "gap": "Chênh lệch tối ưu – tham lam", "parks": "KCN/CCN/KKT thiếu 5G",
    },
    "en": {
        "budget": "Budget", "none": "no limit", "preset": "Ranking preset",
        "method": "Selection method", "gaps": "Villages with a gap",
        "costed": "of which need infrastructure", "power": "need grid power first",
        "all": "Closing every costed gap", "in": "Within the budget",
        "villages": "villages", "people": "people served",
        "gap": "Exact vs greedy", "parks": "Parks without 5G",
    },
}

# "<count> <kind>" in the investment lines; the order is the order they are listed in.
KIND_COUNT = {
    "vi": {"new_4g_site": "trạm 4G mới", "fibre_route": "tuyến cáp quang",
           "5g_upgrade": "nâng cấp 5G"},
    "en": {"new_4g_site": "new 4G sites", "fibre_route": "fibre routes",
           "5g_upgrade": "5G upgrades"},
}

# How the inputs were read (summary section "reading").
READING = {
    "vi": {
        "title": "Cách đọc dữ liệu đầu vào", "layer": "Lớp", "column": "Cột",
        "file_column": "Cột trong tệp", "blank": "Ô trống đọc là", "blanks": "Số ô trống",
        "how": "Căn cứ", "no": "không", "unknown": "chưa rõ",
        "detected": "tự nhận biết", "plan": "theo tệp kế hoạch",
        "estimated": "Thôn có dân số ước tính từ số hộ (× {factor} người/hộ): {n}",
        "unknown_pop": "Thôn chưa rõ dân số (không có dân số, không có số hộ): {n}",
        "no_location": "Thôn chưa có vị trí: {n}; trong đó cần vị trí để tính chi phí: {cost}",
    },
    "en": {
        "title": "How the inputs were read", "layer": "Layer", "column": "Column",
        "file_column": "File column", "blank": "A blank reads as", "blanks": "Blanks",
        "how": "Decided by", "no": "no", "unknown": "unknown",
        "detected": "detected", "plan": "the plan",
        "estimated": "Villages whose population is estimated from households "
                     "(× {factor} people per household): {n}",
        "unknown_pop": "Villages with population unknown (neither population nor "
                       "households): {n}",
        "no_location": "Villages without a location: {n}; of which the cost needs a "
                       "location: {cost}",
    },
}

# The yes/no columns of the inputs, as the summary names them.
YES_NO_COLUMN = {
    "vi": {"has_power": "Có điện lưới", "dbkk": "Xã/thôn ĐBKK", "has_4g": "Có sóng 4G",
           "has_5g": "Có sóng 5G", "has_fibre": "Có cáp quang",
           "has_digital_team": "Có tổ công nghệ số cộng đồng"},
    "en": {"has_power": "Grid power", "dbkk": "ĐBKK area", "has_4g": "4G",
           "has_5g": "5G", "has_fibre": "Fibre", "has_digital_team": "Community digital team"},
}

SECTIONS = {"summary": SUMMARY, "investment": INVESTMENT, "kind_count": KIND_COUNT,
            "reading": READING, "yes_no_column": YES_NO_COLUMN}
