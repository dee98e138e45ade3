import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from directives.category_data import DEFAULT_CATEGORIES, DEFAULT_CATEGORY_KEYWORDS
from directives.extraction import ExtractedItem, extract_items, suggest_category

SEED = Path(__file__).resolve().parents[2] / "demo" / "hoi-nghi-so-ket-6-thang-2022.txt"

SEED_CATEGORIES = [
    "verification",
    "credit_budget_collection",
    "asset_auction",
    "citizen_reception",
    "emulation",
    "coordination",
    "it_adoption",
    "infrastructure",
]


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def conclusion_paragraph() -> str:
    # The conclusion and the signature line under it, as the API would get them.
    lines = seed_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Kết luận Hội nghị"))
    return "\n".join(lines[start:])


def labels(items: list[ExtractedItem]) -> list[str]:
    return [item.label for item in items]


# --- the seed document --------------------------------------------------------


def test_seed_conclusion_yields_the_eight_printed_items():
    items = extract_items(conclusion_paragraph())

    assert labels(items) == ["1", "2", "2", "3", "4", "5", "6", "7"]
    assert [item.position for item in items] == list(range(1, 9))
    assert items[0].title.startswith("Xác minh đúng thời hạn")
    assert items[0].body.startswith("Xác minh đúng thời hạn, đảm bảo đầy đủ")
    assert items[1].body.startswith("Nâng cao chất lượng thi hành án")
    assert items[2].body.startswith("Tăng cường giám sát hoạt động kê biên")


def test_seed_last_item_stops_before_the_signature():
    last = extract_items(conclusion_paragraph())[-1]

    assert last.label == "7"
    assert last.body.endswith("trên địa bàn.")
    assert "Lê Hùng" not in last.body


def test_seed_conclusion_categories():
    items = extract_items(conclusion_paragraph())

    assert [item.category for item in items] == SEED_CATEGORIES


def test_seed_titles_are_short_clauses():
    titles = [item.title for item in extract_items(conclusion_paragraph())]

    assert titles[0] == "Xác minh đúng thời hạn"
    assert titles[3] == "Nâng cao chất lượng công tác kiểm tra"
    assert titles[4] == "Thực hiện tốt công tác tổ chức cán bộ"
    assert all(0 < len(title) <= 120 for title in titles)
    assert titles[1].endswith("…")  # its first clause is longer than 120 characters


def test_seed_item_bodies_do_not_keep_the_list_separator():
    items = extract_items(conclusion_paragraph())

    assert items[0].body.endswith("đúng pháp luật")
    assert not any(item.body.endswith(";") for item in items)


def test_full_seed_yields_the_statistics_then_the_conclusion():
    items = extract_items(seed_text())

    assert labels(items) == ["1", "2", "3", "4", "5", "1", "2", "2", "3", "4", "5", "6", "7"]
    assert [item.position for item in items] == list(range(1, 14))
    assert items[0].body.startswith("Trong số 7.479 việc")
    assert items[1].category == "credit_budget_collection"
    assert items[5].title.startswith("Xác minh đúng thời hạn")
    assert [item.category for item in items[5:]] == SEED_CATEGORIES
    assert "Lê Hùng" not in items[-1].body


def test_nfd_input_gives_the_same_items_as_nfc():
    nfc = extract_items(unicodedata.normalize("NFC", seed_text()))
    nfd = extract_items(unicodedata.normalize("NFD", seed_text()))

    assert labels(nfd) == labels(nfc)
    assert [item.category for item in nfd] == [item.category for item in nfc]
    assert nfd == nfc


# --- marker forms -------------------------------------------------------------


def test_text_without_numbered_items_returns_nothing():
    assert extract_items("") == []
    assert extract_items("Hội nghị đã diễn ra thành công.\n\n- Gạch đầu dòng;\n- Nữa.") == []


def test_line_start_dot_list():
    text = (
        "Giám đốc yêu cầu:\n"
        "1. Tăng cường xác minh điều kiện thi hành án;\n"
        "2. Đẩy mạnh bán đấu giá tài sản đã kê biên.\n"
    )
    items = extract_items(text)

    assert labels(items) == ["1", "2"]
    assert items[0].body == "Tăng cường xác minh điều kiện thi hành án"
    assert items[0].category == "verification"
    assert items[1].category == "asset_auction"


def test_line_start_paren_and_letter_lists():
    assert labels(extract_items("1) Một việc cần làm\n2) Việc khác nữa")) == ["1", "2"]
    assert labels(extract_items("a) Việc thứ nhất;\nb) Việc thứ hai;\nc. Việc thứ ba.")) == [
        "a",
        "b",
        "c",
    ]
    assert labels(extract_items("(1) Việc thứ nhất\n(2) Việc thứ hai")) == ["1", "2"]


def test_marker_without_space_after_it():
    assert labels(extract_items("1.Xác minh tài sản\n2.Kê biên tài sản")) == ["1", "2"]


def test_line_start_item_continues_until_blank_line_or_next_marker():
    text = (
        "1. Tăng cường công tác kiểm tra\n"
        "   nội bộ trong toàn ngành.\n"
        "2. Tiếp công dân đúng lịch.\n"
        "\n"
        "Nơi nhận:\n"
        "- Như trên;"
    )
    items = extract_items(text)

    assert labels(items) == ["1", "2"]
    assert items[0].body == "Tăng cường công tác kiểm tra\nnội bộ trong toàn ngành."
    assert items[1].body == "Tiếp công dân đúng lịch."


def test_letter_sub_items_stay_in_their_parent():
    text = (
        "1. Công tác xác minh:\n"
        "a) Xác minh đúng thời hạn;\n"
        "\n"
        "b) Ra quyết định về việc chưa có điều kiện thi hành.\n"
        "2. Công tác tiếp công dân, giải quyết khiếu nại, tố cáo.\n"
    )
    items = extract_items(text)

    assert labels(items) == ["1", "2"]
    assert "a) Xác minh đúng thời hạn" in items[0].body
    assert "b) Ra quyết định" in items[0].body
    assert items[0].title == "Công tác xác minh"


def test_roman_sections_are_headings_when_items_are_numbered_inside():
    text = (
        "I. KẾT QUẢ\n"
        "Đã thi hành xong nhiều việc.\n"
        "II. NHIỆM VỤ\n"
        "1. Xác minh kịp thời.\n"
        "2. Kê biên đúng quy định.\n"
        "III. TỔ CHỨC THỰC HIỆN\n"
        "Các đơn vị triển khai.\n"
    )
    items = extract_items(text)

    assert labels(items) == ["1", "2"]
    assert items[1].body == "Kê biên đúng quy định."


def test_roman_only_list_gives_roman_labels():
    assert labels(extract_items("I. Xác minh kịp thời.\nII. Kê biên đúng hạn.")) == ["I", "II"]


def test_dotted_sub_items_stay_in_their_parent():
    text = "1. Nhiệm vụ chung\n1.1. Xác minh\n1.2. Kê biên\n2. Nhiệm vụ khác"
    items = extract_items(text)

    assert labels(items) == ["1", "2"]
    assert "1.2. Kê biên" in items[0].body


def test_skipped_and_repeated_labels_are_kept_as_printed():
    inline = "Yêu cầu: (1) Xác minh tài sản; (2) Kê biên tài sản; (4) Bán đấu giá tài sản."
    assert labels(extract_items(inline)) == ["1", "2", "4"]
    line_start = "1. Xác minh tài sản.\n2. Kê biên tài sản.\n4. Bán đấu giá tài sản."
    assert labels(extract_items(line_start)) == ["1", "2", "4"]
    assert [item.position for item in extract_items(line_start)] == [1, 2, 3]


def test_inline_letter_and_roman_runs():
    text = "Cụ thể: (a) Xác minh tài sản; (b) Kê biên tài sản; (c) Bán đấu giá."
    assert labels(extract_items(text)) == ["a", "b", "c"]
    text = "Gồm: (i) Xác minh tài sản; (ii) Kê biên tài sản; (iii) Bán đấu giá."
    assert labels(extract_items(text)) == ["i", "ii", "iii"]


def test_paragraph_opening_with_the_first_marker_still_ends_at_its_line():
    # The seed's list as its own paragraph, signature under it.
    text = conclusion_paragraph().split("Cụ thể, yêu cầu các đơn vị: ", 1)[1]
    items = extract_items(text)

    assert labels(items) == ["1", "2", "2", "3", "4", "5", "6", "7"]
    assert items[-1].body.endswith("trên địa bàn.")


def test_one_paren_item_per_line_continues_over_wrapped_lines():
    text = "(1) Xác minh tài sản\ncủa người phải thi hành án;\n(2) Kê biên tài sản."
    items = extract_items(text)

    assert labels(items) == ["1", "2"]
    assert items[0].body == "Xác minh tài sản\ncủa người phải thi hành án"


def test_inline_markers_inside_a_numbered_line_stay_in_it():
    items = extract_items("1. Về thi hành án: (1) Xác minh; (2) Kê biên.\n2. Về tiếp dân.")

    assert labels(items) == ["1", "2"]
    assert items[0].body == "Về thi hành án: (1) Xác minh; (2) Kê biên."


def test_inline_runs_restarting_at_one_are_all_kept():
    text = "Kết quả: (1) Xong việc; (2) Xong tiền.\nNhiệm vụ: (1) Xác minh tài sản; (2) Kê biên."
    items = extract_items(text)

    assert labels(items) == ["1", "2", "1", "2"]
    assert items[1].body == "Xong tiền."


# --- false positives ----------------------------------------------------------


def test_dates_money_references_and_words_are_not_markers():
    text = (
        "Sáng ngày 22/4/2022, đã thi hành 7.479 việc = 761.546.547.000đ (chiếm 82,08% về"
        " việc) theo Nghị quyết số 23-NQ/BCSĐ ngày 29/3/2022 và Điều 147 Luật Thi hành án"
        " dân sự (VND), điểm a khoản 2) nêu trên (xem) (2021).\n"
        "7.479 việc đã được thi hành.\n"
        "22/4/2022 tổ chức Hội nghị.\n"
        "2022. Năm bản lề.\n"
        "82,08% về việc.\n"
        "23-NQ/BCSĐ của Ban Cán sự Đảng."
    )
    assert extract_items(text) == []


def test_footnote_calls_and_cross_references_are_not_markers():
    assert extract_items("Theo Nghị quyết số 23-NQ/BCSĐ(1) và Kế hoạch(2) của Cục.") == []
    assert extract_items("Như đã nêu tại các mục (1), (2) và (3) của báo cáo.") == []
    assert extract_items("Như đã nêu tại mục (1) và mục (2) của báo cáo.") == []
    assert extract_items("Xem chú thích (3); chú thích (4) ở cuối trang.") == []


def test_a_lone_inline_marker_is_not_a_list():
    assert extract_items("Đồng chí nhấn mạnh: (1) cần làm tốt hơn nữa.") == []


# --- titles and categories -----------------------------------------------------


def test_long_title_is_cut_at_a_word_boundary():
    words = ["Tăng", "cường", "công", "tác", "kiểm", "tra", "nội", "bộ"] * 12
    body = " ".join(words)
    item = extract_items("1. " + body)[0]

    assert len(item.title) <= 120
    assert item.title.endswith("…")
    kept = item.title[:-1]
    assert body.startswith(kept)
    assert body[len(kept)] == " "  # the cut falls between two words


def test_title_is_upper_cased_and_short_bodies_are_whole():
    item = extract_items("Yêu cầu: (1) xác minh tài sản; (2) kê biên")[0]

    assert item.title == "Xác minh tài sản"
    assert item.body == "xác minh tài sản"


def test_suggest_category_is_accent_insensitive_and_whole_word():
    assert suggest_category("Tăng cường XÁC MINH") == "verification"
    assert suggest_category("tang cuong xac minh dieu kien thi hanh an") == "verification"
    assert suggest_category("Hội nghị đã diễn ra") == "other"
    # "kiểm tra" must not match inside "kiểm trao" (a made-up longer word).
    assert suggest_category("kiểm trao") == "other"
    assert suggest_category("Thực hiện nghiêm kỷ luật, kỷ cương") == "personnel_discipline"
    assert suggest_category("Thực hiện nghiêm kỉ luật") == "personnel_discipline"


def test_suggest_category_ties_follow_the_mapping_order():
    categories = {"b": ["kê biên"], "a": ["xác minh"]}
    assert suggest_category("xác minh và kê biên", categories) == "b"
    assert suggest_category("xác minh và kê biên", dict(reversed(categories.items()))) == "a"
    assert suggest_category("không liên quan", categories) == "other"


def test_custom_categories_reach_the_items():
    items = extract_items("1. Xây trụ sở mới\n2. Mua xe", categories={"build": ["trụ sở"]})

    assert [item.category for item in items] == ["build", "other"]


def test_default_categories_match_the_keyword_codes():
    codes = [code for code, _, _ in DEFAULT_CATEGORIES]

    assert codes == list(DEFAULT_CATEGORY_KEYWORDS)
    assert codes[-1] == "other"
    assert DEFAULT_CATEGORY_KEYWORDS["other"] == ()
    assert all(name_vi and name_en for _, name_vi, name_en in DEFAULT_CATEGORIES)


# --- properties ------------------------------------------------------------------

# Fragments that look like markers, so that the generated texts reach the list
# logic rather than being plain prose.
FRAGMENTS = (
    *("(1)", "(2)", "(a)", "(ii)", "(v)", "1.", "2)", "1.1.", "a)", "đ.", "IV.", "I.", ")", "("),
    *(" ", "  ", "\n", "\n\n", "\r\n", "\t", "\u00a0", "\ufeff", ";", ":", ",", "."),
    *("Xác minh", "kê biên", "x", "7.479", "22/4/2022", "BCSĐ", "\u0301", "a" * 130),
)
MARKERISH = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), MARKERISH))
def test_extract_items_never_raises_and_numbers_positions(text):
    items = extract_items(text)

    assert [item.position for item in items] == list(range(1, len(items) + 1))
    for item in items:
        assert item.label
        assert len(item.title) <= 120
        assert item.category in DEFAULT_CATEGORY_KEYWORDS
