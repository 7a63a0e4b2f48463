"""Words of the planning stage that people read: the targets (``target``, keyed by target id),
the gap and note texts of the priority list (``gap``, ``note``; ``{pct}`` and ``{km}`` are filled
in), and the names of presets, selection methods, objectives and solver results (``preset``,
``method``, ``objective``, ``solver_status``) that the summaries show for the identifiers in
``plan_summary.json``."""

TARGET = {
    "vi": {
        "village_mobile_broadband": "Thôn có băng rộng di động",
        "village_fibre": "Thôn có cáp quang",
        "household_fibre": "Hộ gia đình dùng cáp quang",
        "commune_fibre": "Xã có cáp quang",
        "park_5g": "KCN, KKT, CCN có 5G",
        "population_5g": "Dân số được phủ sóng 5G",
        "smart_village": "Xã có ít nhất 1 thôn thông minh",
        "download_4g": "Tốc độ tải xuống trung bình 4G",
        "download_5g": "Tốc độ tải xuống trung bình 5G",
    },
    "en": {
        "village_mobile_broadband": "Villages with mobile broadband",
        "village_fibre": "Villages with fibre",
        "household_fibre": "Households with fibre broadband",
        "commune_fibre": "Communes with fibre",
        "park_5g": "Industrial parks, zones and clusters with 5G",
        "population_5g": "Population covered by 5G",
        "smart_village": "Communes with at least one smart village",
        "download_4g": "Average 4G download speed",
        "download_5g": "Average 5G download speed",
    },
}

# Keyed by the gap flag columns of geo_cds.schema (GAP_MOBILE, GAP_FIBRE, GAP_HH_FIBRE).
GAP = {
    "vi": {"gap_mobile": "4G", "gap_fibre": "cáp quang",
           "gap_household_fibre": "hộ dùng cáp quang < {pct:g}%"},
    "en": {"gap_mobile": "4G", "gap_fibre": "fibre", "gap_household_fibre": "household fibre < {pct:g}%"},
}

NOTE = {
    "vi": {
        "power": "chưa có điện lưới: cấp điện trước (quỹ dịch vụ viễn thông công ích)",
        "off_grid": "trạm mới đặt tại thôn chưa có điện: tính thêm nguồn điện độc lập",
        "no_fibre": "cáp quang không khả thi: đoạn mới > {km:g} km hoặc không có mạng để nối "
                    "(xem xét vi ba/vệ tinh)",
        "hh_only": "chỉ thiếu hộ dùng cáp quang: không cần đầu tư hạ tầng mới",
        "no_location": "chi phí cần vị trí của thôn (thôn chưa có tọa độ)",
        "large_zone": "khu rộng: tính {n} trạm cho {ha} ha chưa phủ 5G ({reach} ha mỗi trạm, "
                      "bán kính {km:g} km), giả định cần 5G trên toàn khu; thường chỉ các phân "
                      "khu đã xây dựng/khu công nghiệp cần — nhập chúng thành vùng riêng để tính "
                      "sát hơn",
    },
    "en": {
        "power": "no grid power: power first (public telecom fund)",
        "off_grid": "the new site stands at a village without grid power: off-grid power "
                    "system included",
        "no_fibre": "fibre not feasible: new segment > {km:g} km or no network to extend "
                    "(consider microwave/satellite)",
        "hh_only": "only household fibre uptake: no new infrastructure needed",
        "no_location": "cost needs a location (the village has no coordinates)",
        "large_zone": "large zone: {n} sites for {ha} ha without 5G ({reach} ha per site, "
                      "{km:g} km reach), assuming 5G is needed across the whole zone; usually "
                      "only its built-up or industrial sub-zones need it — give them as separate "
                      "polygons to refine",
    },
}

PRESET = {
    "vi": {"coverage-first": "ưu tiên phủ sóng",
           "equity": "ưu tiên xã đặc biệt khó khăn và thôn chưa được phục vụ",
           "cost-effective": "ưu tiên hiệu quả chi phí"},
    "en": {"coverage-first": "coverage-first", "equity": "equity",
           "cost-effective": "cost-effective"},
}

METHOD = {
    "vi": {"exact": "tối ưu chính xác", "greedy": "tham lam"},
    "en": {"exact": "exact", "greedy": "greedy"},
}

OBJECTIVE = {
    "vi": {"people": "số người được phục vụ", "score": "số người × điểm ưu tiên",
           "people_min_cost": "số người được phục vụ, rồi chi phí thấp nhất"},
    "en": {"people": "people served", "score": "people × score",
           "people_min_cost": "people served, then the least spend"},
}

# Every status geo_cds.planning.budget gives a selection.
SOLVER_STATUS = {
    "vi": {
        "optimal": "tối ưu",
        "time_limit": "hết thời gian giải",
        "greedy": "tham lam",
        "no budget": "không có ngân sách",
        "greedy (too large for exact)": "tham lam (quá lớn để giải chính xác)",
        "greedy (solver failed)": "tham lam (bộ giải lỗi)",
        "greedy (solver tolerance)": "tham lam (sai số của bộ giải)",
        "optimal; greedy better": "tối ưu; tham lam tốt hơn",
        "time_limit; greedy better": "hết thời gian giải; tham lam tốt hơn",
        "not solved (sweep of a large problem)": "không giải (quét ngân sách của bài toán lớn)",
    },
    "en": {
        "optimal": "optimal",
        "time_limit": "time limit reached",
        "greedy": "greedy",
        "no budget": "no budget",
        "greedy (too large for exact)": "greedy (too large for exact)",
        "greedy (solver failed)": "greedy (solver failed)",
        "greedy (solver tolerance)": "greedy (solver tolerance)",
        "optimal; greedy better": "optimal; greedy better",
        "time_limit; greedy better": "time limit reached; greedy better",
        "not solved (sweep of a large problem)": "not solved (sweep of a large problem)",
    },
}

SECTIONS = {"target": TARGET, "gap": GAP, "note": NOTE, "preset": PRESET, "method": METHOD,
            "objective": OBJECTIVE, "solver_status": SOLVER_STATUS}
