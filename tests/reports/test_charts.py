"""The generic chart: valid PNG and SVG, Vietnamese text kept as text, cached."""

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from reports.charts import BUCKET_COLORS, Series, bar_chart, cached_chart

UNITS = ["Chi cục Thi hành án dân sự huyện Hiệp Hòa", "Chi cục THADS huyện Yên Thế"]


def chart(fmt: str) -> bytes:
    return bar_chart(
        categories=UNITS,
        series=[
            Series("Hoàn thành đúng hạn", [3, 1], BUCKET_COLORS["done_on_time"]),
            Series("Chưa hoàn thành, quá hạn", [1, 2], BUCKET_COLORS["open_overdue"]),
        ],
        fmt=fmt,
        title="Tiến độ thực hiện nhiệm vụ",
        annotations=["75,00 %", None],
        target=3,
        target_label="Chỉ tiêu",
    )


def test_png_is_a_valid_image():
    image = Image.open(io.BytesIO(chart("png")))
    image.verify()
    assert image.format == "PNG"


def test_svg_parses_and_keeps_unit_names_with_diacritics_as_text():
    svg = chart("svg")
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag.endswith("svg")
    text = svg.decode()
    assert "Chi cục Thi hành án dân sự huyện Hiệp Hòa" in text
    assert "Tiến độ thực hiện nhiệm vụ" in text


def test_svg_is_stable_for_the_same_inputs():
    assert chart("svg") == chart("svg")


def test_an_empty_chart_still_draws():
    Image.open(io.BytesIO(bar_chart(categories=[], series=[], fmt="png"))).verify()


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        bar_chart(categories=UNITS, series=[], fmt="gif")


def test_cached_chart_builds_once_for_the_same_inputs():
    calls = []

    def build():
        calls.append(1)
        return b"img"

    assert cached_chart(("a", 1), build) == b"img"
    assert cached_chart(("a", 1), build) == b"img"
    assert cached_chart(("a", 2), build) == b"img"
    assert len(calls) == 2
