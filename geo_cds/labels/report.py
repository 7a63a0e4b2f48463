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
        "cost_missing": "chưa tính được chi phí (thôn chưa có vị trí)",
        "all": "Đóng mọi khoảng trống đã tính chi phí", "in": "Trong ngân sách",
        "villages": "thôn", "people": "người được phục vụ",
        "gap": "Chênh lệch tối ưu – tham lam", "parks": "KCN/CCN/KKT thiếu 5G",
        "upgraded": "trạm nâng cấp", "new": "trạm mới", "funded": "trong ngân sách",
        "large": "Khu rộng, tính trên toàn bộ diện tích chưa phủ 5G (xem cột \"Giả định khi "
                 "tính\" của bảng 5G KCN-CCN)",
    },
    "en": {
        "budget": "Budget", "none": "no limit", "preset": "Ranking preset",
        "method": "Selection method", "gaps": "Villages with a gap",
        "costed": "of which need infrastructure", "power": "need grid power first",
        "cost_missing": "cost unknown (village without a location)",
        "all": "Closing every costed gap", "in": "Within the budget",
        "villages": "villages", "people": "people served",
        "gap": "Exact vs greedy", "parks": "Parks without 5G",
        "upgraded": "sites upgraded", "new": "new sites", "funded": "in the budget",
        "large": "Large zones sized on their whole area without 5G (see the column "
                 "\"Sizing assumption\" of the 5G parks sheet)",
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

# The run's self-checks (geo_cds.checks), by key; {layer} and {table} are filled in.
CHECK = {
    "vi": {
        "rows": "dòng: {layer} đọc = dùng + loại",
        "villages": "thôn: mỗi thôn thuộc đúng một xã hoặc nằm trong danh sách loại",
        "shares": "tỷ lệ: {table} trong [0, 1]",
        "money_in_budget": "tiền: chi trong ngân sách như nhau ở mọi bảng",
        "money_total": "tiền: tổng chi phí như nhau ở mọi bảng",
        "money_parks": "tiền: 5G KCN/CCN/KKT được cấp vốn",
        "money_whole": "tiền: hạng mục dùng chung được mua trọn và tính chi phí một lần",
        "people_served": "người: được phục vụ trong ngân sách",
        "people_population": "người: được phục vụ ≤ dân số các thôn còn khoảng trống",
        "speed_tests": "tốc độ đo kiểm: mỗi lượt đo tính đúng một lần (một xã hoặc ngoài mọi xã)",
        "cost_missing": "tiền: số thôn chưa tính được chi phí như nhau ở mọi bảng",
    },
    "en": {
        "rows": "rows: {layer} read = used + rejected",
        "villages": "villages: each in exactly one commune or in the rejects",
        "shares": "shares: {table} in [0, 1]",
        "money_in_budget": "money: in-budget spend in every view",
        "money_total": "money: total cost in every view",
        "money_parks": "money: funded parks",
        "money_whole": "money: shared interventions bought and costed whole",
        "people_served": "people: served in budget",
        "people_population": "people: served ≤ population of the villages with gaps",
        "speed_tests": "measured speeds: each test counted once (in one commune or outside all)",
        "cost_missing": "money: villages whose cost is unknown, in every view",
    },
}

# The figures a self-check compares.
CHECK_FIGURE = {
    "vi": {
        "read": "đọc", "used": "dùng", "rejected": "loại", "in_communes": "trong các xã",
        "counted_in_communes": "đếm trong bảng xã", "unknown_commune": "mã xã không có",
        "placed_and_rejected": "vừa dùng vừa loại", "share_columns": "cột tỷ lệ",
        "outside_unit": "giá trị ngoài [0, 1]", "village_list_parks": "danh sách thôn + KCN",
        "interventions": "hạng mục", "plan_summary": "tóm tắt kế hoạch",
        "commune_sheet_parks": "bảng theo xã + KCN", "parks_sheet": "bảng KCN",
        "village_list": "danh sách thôn", "served": "được phục vụ", "population": "dân số",
        "problems": "sai lệch", "outside_communes": "ngoài mọi xã",
        "commune_sheet": "bảng theo xã",
    },
    "en": {
        "read": "read", "used": "used", "rejected": "rejected", "in_communes": "in communes",
        "counted_in_communes": "counted in the commune table",
        "unknown_commune": "with an unknown commune", "placed_and_rejected":
            "both placed and rejected", "share_columns": "share columns",
        "outside_unit": "values outside [0, 1]", "village_list_parks": "village list + parks",
        "interventions": "interventions", "plan_summary": "plan summary",
        "commune_sheet_parks": "per-commune sheet + parks", "parks_sheet": "parks sheet",
        "village_list": "village list", "served": "served", "population": "population",
        "problems": "problems", "outside_communes": "outside every commune",
        "commune_sheet": "per-commune sheet",
    },
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

# How much data each figure rests on (summary section and workbook sheet "data coverage";
# geo_cds.analysis.datacov). {pct} is the plan's thresholds.min_known_share.
DATA_COVERAGE = {
    "vi": {
        "title": "Số liệu làm căn cứ cho các tỷ lệ",
        "intro": "Mỗi tỷ lệ chỉ tính trên các thôn có số liệu. Bảng cho biết bao nhiêu thôn và "
                 "bao nhiêu người đứng sau mỗi tỷ lệ; † ít dữ liệu: dưới {pct} số thôn hoặc "
                 "dưới {pct} dân số của địa bàn có số liệu.",
        "figure": "Chỉ số", "villages": "Thôn có số liệu", "people": "Dân số các thôn có số liệu",
        "mark": "Ít dữ liệu",
        "note": "† Ít dữ liệu: tỷ lệ dựa trên dưới {pct} số thôn hoặc dưới {pct} dân số của "
                "địa bàn (xem mục \"{title}\").",
    },
    "en": {
        "title": "The data behind the shares",
        "intro": "Each share is computed over the villages whose value is known. The table says "
                 "how many villages and how many people stand behind each share; † little "
                 "data: under {pct} of the area's villages or under {pct} of its people known.",
        "figure": "Figure", "villages": "Villages with data", "people": "People in them",
        "mark": "Little data",
        "note": "† Little data: the share rests on under {pct} of the area's villages or under "
                "{pct} of its people (see \"{title}\").",
    },
}

# The figures whose data coverage is shown (keys of geo_cds.analysis.datacov.FIGURES).
DATA_FIGURE = {
    "vi": {"4g": "Thôn có 4G", "5g": "Thôn có 5G", "fibre": "Thôn có cáp quang",
           "hh_fibre": "Hộ dùng cáp quang", "digital_team": "Thôn có tổ công nghệ số cộng đồng"},
    "en": {"4g": "Villages with 4G", "5g": "Villages with 5G", "fibre": "Villages with fibre",
           "hh_fibre": "Households on fibre", "digital_team": "Villages with a digital team"},
}

# Several operators (summary section "operators").
OPERATORS = {
    "vi": {
        "title": "Nhà mạng: phủ sóng và trạm", "operator": "Nhà mạng",
        "share": "Tỷ lệ thôn được phủ sóng", "known": "Số thôn có số liệu",
        "any": "Bất kỳ nhà mạng nào",
        "single": "Thôn chỉ một nhà mạng phủ sóng {tech} (ứng viên dùng chung hạ tầng, "
                  "sharing_candidates.csv): {n}",
        "sites": "Trạm hiện có theo nhà mạng", "no_operator": "không rõ nhà mạng",
    },
    "en": {
        "title": "Operators: coverage and sites", "operator": "Operator",
        "share": "Share of villages covered", "known": "Villages with data",
        "any": "Any operator",
        "single": "Villages covered by a single operator for {tech} (infrastructure-sharing "
                  "candidates, sharing_candidates.csv): {n}",
        "sites": "Existing sites per operator", "no_operator": "operator not given",
    },
}

SECTIONS = {"summary": SUMMARY, "investment": INVESTMENT, "kind_count": KIND_COUNT,
            "data_coverage": DATA_COVERAGE, "data_figure": DATA_FIGURE,
            "target_status": TARGET_STATUS, "shortfall_unit": SHORTFALL_UNIT,
            "check": CHECK, "check_figure": CHECK_FIGURE, "reading": READING,
            "yes_no_column": YES_NO_COLUMN, "operators": OPERATORS}
