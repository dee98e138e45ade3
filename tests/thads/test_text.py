import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thads.text import fold, nfc, nfc_deep, search_key, search_terms, words


@pytest.mark.parametrize(
    "text",
    [
        "Hiệp Hòa",  # tone mark on the o (the older placement)
        "Hiệp Hoà",  # tone mark on the a (the newer placement)
        "HIỆP HOÀ",
        "hiep hoa",
        "  Hiệp \t Hòa \n",
        unicodedata.normalize("NFD", "Hiệp Hòa"),  # as some phones and Macs send it
    ],
)
def test_fold_makes_every_spelling_of_hiep_hoa_the_same_key(text):
    assert fold(text) == "hiep hoa"


def test_fold_maps_d_with_stroke_to_d_in_both_cases():
    assert fold("Đình đám Đồng Đăng") == "dinh dam dong dang"


def test_fold_drops_every_vietnamese_diacritic():
    assert fold("Tiếp công dân; khiếu nại, tố cáo") == "tiep cong dan; khieu nai, to cao"
    assert fold("ă â ê ô ơ ư ạ ả ã ỵ ỷ ỹ") == "a a e o o u a a a y y y"


def test_search_terms_are_folded_words():
    assert search_terms("  Tiếp CÔNG  dân ") == ["tiep", "cong", "dan"]
    assert search_terms("") == []


def test_punctuation_separates_words_like_a_space():
    assert search_terms("01/KL-CTHADS") == ["01", "kl", "cthads"]
    assert words("(nghiệp vụ), tin học hóa.") == ["nghiep", "vu", "tin", "hoc", "hoa"]
    assert words("a_b") == ["a", "b"]


def test_the_search_key_puts_a_space_before_every_word():
    key = search_key("CC-HIEPHOA", "Chi cục (Hiệp Hòa)", "")
    assert key == " cc hiephoa chi cuc hiep hoa"
    assert " hiep" in key and " iep" not in key
    assert search_key("Đấu giá " * 300) == " dau gia" * 125  # cut at 1,000 characters


@given(st.text(), st.text())
def test_every_word_of_the_text_begins_a_word_of_its_key(first, second):
    key = search_key(first, second)
    for word in words(first) + words(second):
        assert f" {word}" in key
    assert key == "" or key.startswith(" ")
    assert "  " not in key


def test_nfc_composes_decomposed_text():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Bích Tần")
    assert decomposed != "Nguyễn Thị Bích Tần"
    assert nfc(decomposed) == "Nguyễn Thị Bích Tần"
    assert unicodedata.is_normalized("NFC", nfc(decomposed))


def test_nfc_keeps_both_tone_mark_placements_apart():
    # NFC is about code points, not spelling: "Hòa" and "Hoà" stay different
    # strings; only `fold` treats them as the same words.
    assert nfc("Hiệp Hòa") != nfc("Hiệp Hoà")


def test_nfc_deep_normalises_keys_and_values_at_any_depth_and_leaves_other_types():
    nfd = unicodedata.normalize("NFD", "Yên Thế")
    data = {nfd: [nfd, {"x": nfd, "n": 3, "b": True, "none": None, "f": 1.5}], "k": (nfd,)}
    result = nfc_deep(data)
    assert result == {
        "Yên Thế": ["Yên Thế", {"x": "Yên Thế", "n": 3, "b": True, "none": None, "f": 1.5}],
        # tuples never come out of a JSON parser; they pass through untouched
        "k": (nfd,),
    }


@given(st.text())
def test_fold_is_idempotent(text):
    once = fold(text)
    assert fold(once) == once


@given(st.text())
def test_fold_output_has_no_combining_marks_and_no_d_with_stroke(text):
    folded = fold(text)
    assert not any(unicodedata.combining(ch) for ch in folded)
    assert "đ" not in folded
    assert "Đ" not in folded


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ àáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ"))
def test_fold_ignores_the_form_of_vietnamese_input(text):
    assert fold(unicodedata.normalize("NFD", text)) == fold(nfc(text))
    assert fold(text.upper()) == fold(text)
