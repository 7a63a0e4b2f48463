"""Words several outputs share: yes/no, the total row, the names of the input layers.

Section ``common`` (yes, no, total) and section ``layer`` (an input layer or raster of the plan,
as the summary and the map name it; a raster the plan names itself keeps its own name).
"""

COMMON = {
    "vi": {"yes": "Có", "no": "Không", "total": "Tổng cộng"},
    "en": {"yes": "Yes", "no": "No", "total": "Total"},
}

LAYER = {
    "vi": {
        "communes": "xã/phường", "villages": "thôn", "parks": "KCN/CCN/KKT",
        "streets": "tuyến phố và chợ không dùng tiền mặt", "sites": "trạm phát sóng",
        "fibre": "mạng cáp quang", "population": "mật độ dân số (raster)",
        "rsrp_4g": "vùng phủ sóng 4G (RSRP)", "rsrp_5g": "vùng phủ sóng 5G (RSRP)",
        "mask_4g": "vùng phủ sóng 4G", "mask_5g": "vùng phủ sóng 5G",
        "interventions": "giải pháp đề xuất", "speeds": "tốc độ đo kiểm",
        "stations": "danh sách trạm gốc (mô hình phủ sóng)",
    },
    "en": {
        "communes": "communes", "villages": "villages", "parks": "industrial parks and zones",
        "streets": "cashless streets and markets", "sites": "sites", "fibre": "fibre network",
        "population": "population (raster)", "rsrp_4g": "4G coverage (RSRP)",
        "rsrp_5g": "5G coverage (RSRP)", "mask_4g": "4G coverage", "mask_5g": "5G coverage",
        "interventions": "planned interventions", "speeds": "measured speeds",
        "stations": "base stations (coverage model)",
    },
}

SECTIONS = {"common": COMMON, "layer": LAYER}
