"""Texts naming the sources of evidence (reported, modelled, measured) and where they disagree.

Section ``source`` (a source key, or two joined by ``+``, as the target table's ``source``
column holds them), section ``sources`` (the summary's "Sources" part; ``{…}`` fields are
filled in) and section ``speed_status`` (a village's or commune's measured-speed status).
"""

SOURCE = {
    "vi": {
        "reported": "báo cáo (danh sách thôn)", "modelled": "mô hình (bản đồ phủ sóng)",
        "measured": "đo kiểm (kết quả đo tốc độ)", "none": "không có dữ liệu",
        "reported+modelled": "báo cáo, bổ sung bằng mô hình",
    },
    "en": {
        "reported": "reported (village list)", "modelled": "modelled (coverage maps)",
        "measured": "measured (speed tests)", "none": "no data",
        "reported+modelled": "reported, completed by modelled",
    },
}

SOURCES = {
    "vi": {
        "title": "Nguồn số liệu",
        "column": "Nguồn",
        "generated": "dữ liệu mẫu tạo tự động",
        "rule": "Vùng phủ của một thôn lấy theo báo cáo (trạng thái 4G/5G hoặc RSRP của danh sách "
                "thôn) khi có, nếu không thì theo mô hình (bản đồ phủ sóng); tốc độ tải xuống chỉ "
                "đánh giá trên số liệu đo kiểm khi có kết quả đo di động.",
        "speeds": "Tốc độ đo kiểm: {name} — {rows} ô/điểm, {tests} lượt đo ({outside} lượt ngoài "
                  "mọi xã); trung bình theo số lượt đo trong bán kính {radius} m quanh thôn; "
                  "dưới {min_tests} lượt đo: không đánh giá được.",
        "fixed": "Số liệu đo là mạng cố định: được hiển thị nhưng không dùng để đánh giá chỉ "
                 "tiêu tốc độ di động (đánh giá theo số liệu báo cáo).",
        "no_speeds": "Không có số liệu đo tốc độ: chỉ tiêu tốc độ đánh giá theo tốc độ do danh "
                     "sách thôn báo cáo.",
        "disagree": "Các nguồn khác nhau",
        "technology": "Công nghệ", "both_known": "Thôn có cả hai nguồn",
        "reported_only": "Chỉ có báo cáo", "modelled_only": "Chỉ có mô hình",
        "yes_no": "Báo cáo có, mô hình không", "no_yes": "Báo cáo không, mô hình có",
        "target": "Chỉ tiêu", "villages": "Thôn thuộc chỉ tiêu", "measured": "Thôn có số đo",
        "below": "Đo dưới mục tiêu",
        "both_speeds": "Có cả số đo và số báo cáo",
        "differently": "Hai nguồn đánh giá khác nhau",
    },
    "en": {
        "title": "Sources",
        "column": "Source",
        "generated": "generated sample data",
        "rule": "A village's coverage is the reported one (the village list's 4G/5G status or "
                "RSRP) where there is one, else the modelled one (coverage maps); download "
                "speeds are judged on measurements only when mobile speed tests are given.",
        "speeds": "Measured speeds: {name} — {rows} tiles/points, {tests} tests ({outside} "
                  "outside every commune); test-weighted within {radius} m of a village; "
                  "below {min_tests} tests: not measurable.",
        "fixed": "The measurements are of fixed broadband: shown, but they judge no mobile "
                 "speed target (those are judged on the reported speeds).",
        "no_speeds": "No speed tests given: the speed targets are judged on the speeds the "
                     "village list reports.",
        "disagree": "Where the sources disagree",
        "technology": "Technology", "both_known": "Villages known to both",
        "reported_only": "Reported only", "modelled_only": "Modelled only",
        "yes_no": "Reported yes, modelled no", "no_yes": "Reported no, modelled yes",
        "target": "Target", "villages": "Villages it applies to", "measured": "Measured",
        "below": "Measured below the target",
        "both_speeds": "Both measured and reported",
        "differently": "Judged differently by the two",
    },
}

SPEED_STATUS = {
    "vi": {"measured": "đã đo", "too_few_tests": "quá ít lượt đo",
           "no_tests": "không có số đo"},
    "en": {"measured": "measured", "too_few_tests": "too few tests",
           "no_tests": "no tests"},
}

# The map's texts about sources and measured speeds (merged into section ``map`` for the
# map's JavaScript: ``T.layer_speeds`` …).
MAP_SOURCES = {
    "vi": {
        "layer_speeds": "Tốc độ đo kiểm (tải xuống)",
        "speed_tile": "Ô đo tốc độ",
        "speed_point": "Điểm đo tốc độ",
        "speed_download": "Tải xuống trung bình",
        "speed_upload": "Tải lên trung bình",
        "speed_latency": "Độ trễ trung bình",
        "speed_tests": "Số lượt đo",
        "speed_devices": "Số thiết bị",
        "speed_source": "Nguồn",
        "speed_measured": "Đo kiểm",
        "speed_mobile": "di động",
        "speed_fixed": "cố định (không đánh giá chỉ tiêu di động)",
        "speed_too_few": "Quá ít lượt đo: không đánh giá được",
        "speed_no_tests": "Không có số đo",
        "speed_meets_4g": "đạt mục tiêu 4G",
        "speed_meets_5g": "đạt mục tiêu 5G",
        "download_measured": "Tốc độ tải xuống đo kiểm",
        "download_reported": "Tốc độ tải xuống theo báo cáo",
        "coverage_source": "Vùng phủ 4G theo",
        "source_reported": "báo cáo (danh sách thôn)",
        "source_modelled": "mô hình (bản đồ phủ sóng)",
        "source_none": "không có dữ liệu",
        "raster_source_note": "Nguồn: mô hình (dự báo phủ sóng), không phải đo kiểm",
        "village_source_note": "Vùng phủ: theo báo cáo, thiếu thì theo mô hình",
        "source_modelled_stations": "Nguồn: mô hình hoá từ danh sách trạm, không phải "
                                    "đo kiểm",
        "layer_modelled_4g": "Vùng phủ sóng 4G mô hình hoá (RSRP)",
        "layer_modelled_5g": "Vùng phủ sóng 5G mô hình hoá (RSRP)",
        "ind_share_villages_4g_reported": "Tỷ lệ thôn có 4G — theo báo cáo",
        "ind_share_villages_4g_modelled": "Tỷ lệ thôn có 4G — theo mô hình",
    },
    "en": {
        "layer_speeds": "Measured speed (download)",
        "speed_tile": "Speed-test tile",
        "speed_point": "Speed-test point",
        "speed_download": "Average download",
        "speed_upload": "Average upload",
        "speed_latency": "Average latency",
        "speed_tests": "Tests",
        "speed_devices": "Devices",
        "speed_source": "Source",
        "speed_measured": "Measured",
        "speed_mobile": "mobile",
        "speed_fixed": "fixed (judges no mobile target)",
        "speed_too_few": "Too few tests: not measurable",
        "speed_no_tests": "No tests",
        "speed_meets_4g": "meets the 4G target",
        "speed_meets_5g": "meets the 5G target",
        "download_measured": "Measured download",
        "download_reported": "Reported download",
        "coverage_source": "4G coverage from",
        "source_reported": "reported (village list)",
        "source_modelled": "modelled (coverage maps)",
        "source_none": "no data",
        "raster_source_note": "Source: modelled (coverage prediction), not measured",
        "village_source_note": "Coverage: reported, else modelled",
        "source_modelled_stations": "Source: modelled from the station list, not "
                                    "measured",
        "layer_modelled_4g": "Modelled 4G coverage (RSRP)",
        "layer_modelled_5g": "Modelled 5G coverage (RSRP)",
        "ind_share_villages_4g_reported": "Villages with 4G — reported",
        "ind_share_villages_4g_modelled": "Villages with 4G — modelled",
    },
}

SECTIONS = {"source": SOURCE, "sources": SOURCES, "speed_status": SPEED_STATUS,
            "map_sources": MAP_SOURCES}
