"""Directive categories of a provincial Civil Judgment Enforcement Department.

`DEFAULT_CATEGORIES` lists (code, Vietnamese name, English name) in display
order. `DEFAULT_CATEGORY_KEYWORDS` maps each code to the phrases that suggest
it; `directives.extraction.suggest_category` matches them accent-insensitively
on word boundaries, so they are written here with their accents, for people to
read. The mapping order is also the tie-break order, which is why the more
specific enforcement categories come first and "other" last.

How the seed conclusion (demo/hoi-nghi-so-ket-6-thang-2022.txt) comes out, and
why the two debatable items land where they do:

- item (3) → citizen_reception. Its first sentence is about inspection, but the
  other three (regular reception days, direct dialogue, who staffs the
  reception desk) are about receiving citizens and settling complaints, so the
  reception keywords outnumber the inspection ones about two to one. In the
  department both tasks belong to the same unit (Phòng Kiểm tra và giải quyết
  khiếu nại, tố cáo), so either answer routes the item to the same people.
- item (4) → emulation. Its personnel and discipline sentences are short
  exhortations, while its longest sentence lists the concrete, dated work
  (preliminary and final reviews of the emulation movements, commending model
  examples, the emulation vote). No keyword is left out to force this: with
  the natural phrases emulation simply scores one more.

Keep phrases specific: "thu hồi" alone would pull item (2)'s "quyết định ...
phải thu hồi, hủy bỏ" into debt collection, and "điều kiện" alone would match
the everyday "tạo điều kiện".
"""

DEFAULT_CATEGORIES: list[tuple[str, str, str]] = [
    ("verification", "Xác minh điều kiện thi hành án", "Verification of enforcement conditions"),
    (
        "credit_budget_collection",
        "Thi hành án tín dụng, ngân hàng, thu ngân sách và thu hồi tài sản",
        "Credit-institution debts, state-budget collection and asset recovery",
    ),
    (
        "asset_auction",
        "Kê biên, thẩm định giá, bán đấu giá tài sản",
        "Seizure, valuation and auction of assets",
    ),
    ("inspection", "Công tác kiểm tra, thanh tra", "Inspection and internal control"),
    (
        "citizen_reception",
        "Tiếp công dân, giải quyết khiếu nại, tố cáo",
        "Citizen reception, complaints and denunciations",
    ),
    (
        "personnel_discipline",
        "Tổ chức cán bộ, kỷ luật, kỷ cương",
        "Personnel, discipline and administrative order",
    ),
    ("emulation", "Thi đua, khen thưởng", "Emulation and commendation"),
    (
        "coordination",
        "Phối hợp liên ngành, tham mưu cấp ủy, chính quyền",
        "Inter-agency coordination and advice to Party committees and authorities",
    ),
    (
        "it_adoption",
        "Ứng dụng công nghệ thông tin, cải cách thủ tục hành chính",
        "IT adoption and administrative-procedure reform",
    ),
    (
        "infrastructure",
        "Cơ sở vật chất, đầu tư xây dựng",
        "Facilities, equipment and capital construction",
    ),
    ("other", "Khác", "Other"),
]

DEFAULT_CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "verification": (
        "xác minh",
        "điều kiện thi hành án",
        "điều kiện thi hành",
        "chưa có điều kiện",
        "chưa điều kiện",
        "verification",
        "verify",
    ),
    "credit_budget_collection": (
        "tổ chức tín dụng",
        "tín dụng",
        "ngân hàng",
        "khoản nợ",
        "thu hồi nợ",
        "ngân sách nhà nước",
        "ngân sách",
        "khoản thu",
        "án phí",
        "thu hồi tiền",
        "thu hồi tài sản",
        "tài sản bị chiếm đoạt",
        "chiếm đoạt",
        "tham nhũng",
        "bank",
        "state budget",
        "court fee",
        "corruption",
    ),
    "asset_auction": (
        "kê biên",
        "thẩm định giá",
        "định giá",
        "bán đấu giá",
        "đấu giá",
        "tài sản thi hành án",
        "cưỡng chế",
        "seizure",
        "valuation",
        "auction",
    ),
    "inspection": (
        "kiểm tra",
        "tự kiểm tra",
        "thanh tra",
        "sai phạm",
        "vi phạm",
        "chấn chỉnh",
        "inspection",
        "audit",
    ),
    "citizen_reception": (
        "tiếp công dân",
        "tiếp dân",
        "khiếu nại",
        "tố cáo",
        "đơn thư",
        "đối thoại",
        "complaint",
        "complaints",
        "denunciation",
    ),
    # "kỉ" is the older spelling of "kỷ"; folding keeps i and y apart, so both.
    "personnel_discipline": (
        "tổ chức cán bộ",
        "cán bộ",
        "kỷ luật",
        "kỉ luật",
        "kỷ cương",
        "kỉ cương",
        "công chức",
        "biên chế",
        "đạo đức công vụ",
        "personnel",
        "discipline",
    ),
    "emulation": (
        "thi đua",
        "phong trào thi đua",
        "khen thưởng",
        "biểu dương",
        "điển hình tiên tiến",
        "emulation",
        "commendation",
    ),
    # "phối hợp" alone is deliberate: a passing "phối hợp chặt chẽ" in another
    # category's item costs one point there and helps genuine coordination items.
    "coordination": (
        "phối hợp liên ngành",
        "phối hợp",
        "liên ngành",
        "cấp ủy",
        "chính quyền",
        "tham mưu",
        "ban chỉ đạo",
        "coordination",
    ),
    "it_adoption": (
        "công nghệ thông tin",
        "ứng dụng công nghệ",
        "phần mềm",
        "một cửa",
        "trực tuyến",
        "thủ tục hành chính",
        "chuyển đổi số",
        "dịch vụ công",
        "cơ sở dữ liệu",
        "information technology",
        "software",
        "online",
    ),
    "infrastructure": (
        "xây dựng cơ bản",
        "đầu tư xây dựng",
        "trụ sở",
        "kho vật chứng",
        "cơ sở vật chất",
        "trang thiết bị",
        "phương tiện làm việc",
        "infrastructure",
        "equipment",
    ),
    "other": (),
}
