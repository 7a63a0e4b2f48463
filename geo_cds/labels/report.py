"""Texts of ``summary.md`` (sections ``summary``, ``investment`` and ``kind_count``)."""

SUMMARY = {
    "vi": {
        "title": "Kết quả rà soát hạ tầng số",
        "run": "Lượt chạy", "date": "Ngày chạy",
        "generated": "Dữ liệu mẫu được tạo tự động (không phải số liệu điều tra)",
        "targets": "So với chỉ tiêu", "province": "Tỉnh", "indicator": "Chỉ tiêu",
        "value": "Hiện trạng", "threshold": "Mục tiêu", "year": "Năm", "status": "Tình trạng",
        "short": "Còn thiếu", "instrument": "Văn bản",
        "overview": "Tổng quan", "communes": "Số xã/phường", "villages": "Số thôn/tổ dân phố",
        "population": "Dân số", "accounting": "Kiểm đếm dữ liệu đầu vào", "layer": "Lớp",
        "file": "Tệp", "read": "Đọc", "used": "Dùng", "repaired": "Đã sửa", "rejected": "Loại",
        "investment": "Kế hoạch đầu tư", "all": "Tổng",
        "checks": "Tự kiểm tra của lượt chạy", "check": "Kiểm tra", "result": "Kết quả",
        "detail": "Chi tiết", "passed": "đạt", "failed": "KHÔNG ĐẠT",
    },
    "en": {
        "title": "Digital-infrastructure gap review",
        "run": "Run", "date": "Run date", "generated": "Generated sample data (not survey data)",
        "targets": "Against the targets", "province": "Province", "indicator": "Indicator",
        "value": "Now", "threshold": "Target", "year": "Year", "status": "Status",
        "short": "Short by", "instrument": "Instrument",
        "overview": "Overview", "communes": "Communes", "villages": "Villages",
        "population": "Population", "accounting": "Input rows accounted for", "layer": "Layer",
        "file": "File", "read": "Read", "used": "Used", "repaired": "Repaired",
        "rejected": "Rejected", "investment": "Investment plan", "all": "All",
        "checks": "The run's self-checks", "check": "Check", "result": "Result",
        "detail": "Detail", "passed": "passed", "failed": "FAILED",
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
        "upgraded": "trạm nâng cấp", "new": "trạm mới", "funded": "trong ngân sách",
        "large": "Khu rộng, tính trên toàn bộ diện tích chưa phủ (xem parks_5g_plan.csv, "
                 "cột sizing_note)",
    },
    "en": {
        "budget": "Budget", "none": "no limit", "preset": "Ranking preset",
        "method": "Selection method", "gaps": "Villages with a gap",
        "costed": "of which need infrastructure", "power": "need grid power first",
        "all": "Closing every costed gap", "in": "Within the budget",
        "villages": "villages", "people": "people served",
        "gap": "Exact vs greedy", "parks": "Parks without 5G",
        "upgraded": "sites upgraded", "new": "new sites", "funded": "in the budget",
        "large": "Large zones sized on their whole uncovered area (see parks_5g_plan.csv, "
                 "column sizing_note)",
    },
}

# "<count> <kind>" in the investment lines; the order is the order they are listed in.
KIND_COUNT = {
    "vi": {"new_4g_site": "trạm 4G mới", "fibre_route": "tuyến cáp quang",
           "5g_upgrade": "nâng cấp 5G"},
    "en": {"new_4g_site": "new 4G sites", "fibre_route": "fibre routes",
           "5g_upgrade": "5G upgrades"},
}

# A target's status (geo_cds.analysis.gaps.STATUSES): exactly one of them.
TARGET_STATUS = {
    "vi": {"met": "Đạt", "not met": "Chưa đạt", "not due yet": "Chưa đến hạn",
           "not measurable": "Không đủ dữ liệu"},
    "en": {"met": "met", "not met": "not met", "not due yet": "not due yet",
           "not measurable": "not measurable"},
}

# The unit a shortfall is counted in (geo_cds.analysis.gaps.SHORTFALL_UNITS).
SHORTFALL_UNIT = {
    "vi": {"villages": "thôn", "households": "hộ", "communes": "xã", "parks": "KCN/CCN/KKT",
           "people": "người", "Mb/s": "Mb/s"},
    "en": {"villages": "villages", "households": "households", "communes": "communes",
           "parks": "parks", "people": "people", "Mb/s": "Mb/s"},
}

SECTIONS = {"summary": SUMMARY, "investment": INVESTMENT, "kind_count": KIND_COUNT,
            "target_status": TARGET_STATUS, "shortfall_unit": SHORTFALL_UNIT}
