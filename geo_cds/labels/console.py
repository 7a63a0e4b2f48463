"""What the commands print for the planner (sections ``cli_run``, ``cli_plan``,
``cli_compare``, ``stage``, ``compare_metric``, ``compare_status``).

Templates are filled with :meth:`str.format`; numbers come in already formatted.
"""

CLI_RUN = {
    "vi": {
        "written": "Lượt chạy '{name}' đã ghi vào {folder}",
        "counts": "  {communes} xã/phường, {villages} thôn, {priority} thôn trong danh sách "
                  "ưu tiên",
        "inputs": "  dữ liệu đầu vào: {rejected} dòng bị loại, {repaired} dòng đã sửa — xem "
                  "rejects.csv",
        "time": "  thời gian: {stages} (tổng {total})",
    },
    "en": {
        "written": "Run '{name}' written to {folder}",
        "counts": "  {communes} communes, {villages} villages, {priority} villages on the "
                  "priority list",
        "inputs": "  inputs: {rejected} row(s) rejected, {repaired} repaired — see rejects.csv",
        "time": "  time: {stages} (total {total})",
    },
}

# The pipeline's stages, as timed in run.json and announced while a run goes.
STAGE = {
    "vi": {"load": "đọc dữ liệu", "join": "ghép thôn vào xã", "coverage": "vùng phủ sóng",
           "gaps": "khoảng trống", "priority": "ưu tiên", "write": "ghi kết quả",
           "prepare": "chuẩn bị bộ tính vùng phủ (một lần)",
           "prepare_coverage": "đang chuẩn bị bộ tính vùng phủ (một lần, ~15 giây)",
           "prepare_radio": "đang chuẩn bị mô hình phủ sóng (một lần, ~10 giây)",
           "prepare_planning": "đang chuẩn bị bộ lập kế hoạch (một lần, ~10 giây)",
           "model": "mô hình phủ sóng từ danh sách trạm", "prepare_model": "chuẩn bị mô hình (một lần)",
           "prepare_plan": "chuẩn bị bộ lập kế hoạch (một lần)",
           "write_tables": "đang ghi các bảng",
           "write_investment": "đang ghi danh sách ưu tiên (bảng và sổ Excel)",
           "write_map": "đang ghi bản đồ", "write_summary": "đang ghi bản tóm tắt"},
    "en": {"load": "load", "join": "join", "coverage": "coverage", "gaps": "gaps",
           "priority": "priority", "write": "write", "prepare": "prepare (one-time)",
           "prepare_coverage": "preparing the coverage engine (one-time, ~15 s)",
           "prepare_radio": "preparing the coverage model (one-time, ~10 s)",
           "prepare_planning": "preparing the planner (one-time, ~10 s)",
           "model": "coverage model from the station list", "prepare_model": "prepare the model (one-time)",
           "prepare_plan": "prepare the planner (one-time)",
           "write_tables": "writing tables",
           "write_investment": "writing the priority workbook and tables",
           "write_map": "writing the map", "write_summary": "writing the summary"},
}

CLI_PLAN = {
    "vi": {
        "written": "Kế hoạch đã ghi vào {folder}",
        "settings": "  cách xếp hạng: {preset}, ngân sách {budget} VND, phương pháp: {method} "
                    "({status})",
        "no_budget": "không có ngân sách",
        "totals": "  {villages} thôn còn khoảng trống, tổng chi phí {cost} VND",
        "in_budget": "  trong ngân sách: {villages} thôn, {people} người được phục vụ, {cost} VND",
        "gap": "  tối ưu chính xác {exact} so với tham lam {greedy} người (chênh lệch {gap})",
        "sweep_budget": "ngân sách (VND)", "sweep_exact": "tối ưu", "sweep_greedy": "tham lam",
        "sweep_gap": "chênh lệch",
    },
    "en": {
        "written": "Plan written to {folder}",
        "settings": "  preset {preset}, budget {budget} VND, method {method} ({status})",
        "no_budget": "no budget",
        "totals": "  {villages} villages with gaps, total cost {cost} VND",
        "in_budget": "  in budget: {villages} villages, {people} people served, {cost} VND",
        "gap": "  exact {exact} vs greedy {greedy} people (gap {gap})",
        "sweep_budget": "budget (VND)", "sweep_exact": "people exact",
        "sweep_greedy": "people greedy", "sweep_gap": "gap",
    },
}

CLI_COMPARE = {
    "vi": {
        "change": "thay đổi",
        "points": "điểm %",
        "communes": "\nXã/phường có độ phủ thay đổi nhiều nhất ({n} xã):",
        "villages": "\nThôn thay đổi thứ hạng hoặc trạng thái ngân sách: {n} ({dropped} thôn ra "
                    "khỏi ngân sách, {entered} thôn vào ngân sách)",
        "village": "  {village_id} {village_name} ({commune_code}): hạng {a} → {b} [{status}]",
        "written": "\nKết quả so sánh đã ghi vào {folder}",
    },
    "en": {
        "change": "change",
        "points": "pt",
        "communes": "\nCommunes with the largest coverage change ({n} shown):",
        "villages": "\nVillages that changed rank or budget status: {n} ({dropped} dropped out "
                    "of the budget, {entered} entered it)",
        "village": "  {village_id} {village_name} ({commune_code}): rank {a} → {b} [{status}]",
        "written": "\nComparison written to {folder}",
    },
}

# Rows of the comparison's totals (geo_cds.planning.compare), and the villages' statuses.
COMPARE_METRIC = {
    "vi": {
        "villages_with_gaps": "thôn còn khoảng trống",
        "population_in_gap_villages": "dân số các thôn còn khoảng trống",
        "total_cost_vnd": "chi phí đóng mọi khoảng trống (VND)",
        "villages_in_budget": "thôn trong ngân sách",
        "people_served_in_budget": "người mới được phục vụ trong ngân sách",
        "cost_in_budget_vnd": "hạng mục của các thôn trong ngân sách (VND)",
        "parks_cost_in_budget_vnd": "5G KCN/CCN/KKT trong ngân sách (VND)",
        "share_villages_4g": "tỷ lệ thôn có 4G",
        "share_villages_5g": "tỷ lệ thôn có 5G",
        "share_villages_fibre": "tỷ lệ thôn có cáp quang",
        "share_households_fibre": "tỷ lệ hộ dùng cáp quang",
        "summary:budget_vnd": "ngân sách (VND)",
        "summary:in_budget_cost_vnd": "đã chi, gồm 5G KCN (VND)",
        "summary:in_budget_people_served": "người được phục vụ (tóm tắt kế hoạch)",
    },
    "en": {
        "villages_with_gaps": "villages with gaps",
        "population_in_gap_villages": "people in villages with gaps",
        "total_cost_vnd": "cost of closing every gap (VND)",
        "villages_in_budget": "villages in budget",
        "people_served_in_budget": "people newly served in budget",
        "cost_in_budget_vnd": "villages' interventions in budget (VND)",
        "parks_cost_in_budget_vnd": "parks' 5G in budget (VND)",
        "share_villages_4g": "share of villages with 4G",
        "share_villages_5g": "share of villages with 5G",
        "share_villages_fibre": "share of villages with fibre",
        "share_households_fibre": "share of households on fibre",
        "summary:budget_vnd": "budget (VND)",
        "summary:in_budget_cost_vnd": "spent, parks' 5G included (VND)",
        "summary:in_budget_people_served": "people served (plan summary)",
    },
}

COMPARE_STATUS = {
    "vi": {"moved": "thay đổi", "same": "không đổi", "only_a": "chỉ có ở A",
           "only_b": "chỉ có ở B", "dropped_out": "ra khỏi ngân sách",
           "entered": "vào ngân sách"},
    "en": {"moved": "moved", "same": "same", "only_a": "only_a", "only_b": "only_b",
           "dropped_out": "dropped out of the budget", "entered": "entered the budget"},
}

SECTIONS = {"cli_run": CLI_RUN, "stage": STAGE, "cli_plan": CLI_PLAN,
            "cli_compare": CLI_COMPARE, "compare_metric": COMPARE_METRIC,
            "compare_status": COMPARE_STATUS}
