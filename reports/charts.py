"""Bar charts drawn on the server with matplotlib (Agg, no display), for any app.

    png = bar_chart(
        categories=["Chi cục THADS huyện Hiệp Hòa", ...],
        series=[Series(_("Hoàn thành đúng hạn"), [3, ...], "#2e7d32"), ...],
        fmt="png",                        # or "svg"
        title=_("Tiến độ thực hiện nhiệm vụ"),
        annotations=["75,00 %", ...],     # one short text per bar, at its end
        target=80, target_label=_("Chỉ tiêu 80 %"),   # a reference line, optional
    )
    png = cached_chart(("timeliness", report_json, "png", "vi"), lambda: bar_chart(...))

- Horizontal bars (long Vietnamese unit names read on the left), stacked by
  default; `stacked=False` draws the series side by side (rates per unit, say);
- DejaVu Sans, which has every Vietnamese letter with its diacritics;
- SVG keeps text as text (svg.fonttype "none"), so it stays searchable and a
  test can find a unit's name in it; no timestamp in the file, so equal inputs
  give equal bytes;
- `cached_chart` keeps the bytes in Django's cache under a hash of the inputs
  given: pass everything the picture depends on (the rows, the format, the
  language), and nothing that identifies the caller is needed, because two
  callers with the same rows get the same picture.
"""

from __future__ import annotations

import hashlib
import io
import json
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import matplotlib
from django.conf import settings
from django.core.cache import cache

# The Agg canvas is attached to each figure directly: pyplot (and its global
# figure manager, which is not thread-safe) is never imported.
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

CHART_FORMATS = ("png", "svg")
CHART_CONTENT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}

# The four timeliness buckets' colours, for every chart of them.
BUCKET_COLORS = {
    "done_on_time": "#2e7d32",
    "done_late": "#f9a825",
    "open_on_time": "#90caf9",
    "open_overdue": "#c62828",
}

_RC = {
    "font.family": "DejaVu Sans",
    "svg.fonttype": "none",
    "svg.hashsalt": "thads",  # stable ids inside the SVG
    "font.size": 9,
}


@dataclass(frozen=True)
class Series:
    """One series: its legend `name`, one value per category (None draws
    nothing), and a colour (any matplotlib colour; None lets matplotlib choose)."""

    name: Any
    values: Sequence[int | float | Decimal | None]
    color: str | None = None


def _number(value: int | float | Decimal | None) -> float:
    # Drawing needs floats; the figures themselves were computed exactly.
    return 0.0 if value is None else float(value)


def bar_chart(
    *,
    categories: Sequence[Any],
    series: Sequence[Series],
    fmt: str = "png",
    title: Any = "",
    value_label: Any = "",
    stacked: bool = True,
    annotations: Sequence[Any] | None = None,
    target: int | float | Decimal | None = None,
    target_label: Any = "",
    dpi: int = 100,
) -> bytes:
    """The chart as PNG or SVG bytes (`fmt` "png" or "svg"; ValueError otherwise).

    One horizontal bar per category, top to bottom in the given order. With an
    empty `categories` the chart says there is nothing to show.
    """
    if fmt not in CHART_FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}")
    labels = [textwrap.shorten(str(c), width=60, placeholder="…") for c in categories]
    height = max(2.5, 0.9 + 0.42 * len(labels))
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(10, height), dpi=dpi, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        if not labels:
            axes.text(0.5, 0.5, "—", ha="center", va="center", transform=axes.transAxes)
            axes.set_axis_off()
        else:
            lefts = [0.0] * len(labels)
            bar_height = 0.7 if stacked else 0.8 / max(1, len(series))
            for index, item in enumerate(series):
                widths = [_number(v) for v in item.values]
                if stacked:
                    ys = positions
                else:
                    ys = [p - 0.4 + bar_height * (index + 0.5) for p in positions]
                axes.barh(
                    ys,
                    widths,
                    height=bar_height,
                    left=lefts if stacked else None,
                    color=item.color,
                    label=str(item.name),
                )
                if stacked:
                    lefts = [left + width for left, width in zip(lefts, widths, strict=True)]
            ends = (
                lefts
                if stacked
                else [max((_number(s.values[i]) for s in series), default=0.0) for i in positions]
            )
            if annotations:
                for y, end, text in zip(positions, ends, annotations, strict=False):
                    if text:
                        axes.annotate(
                            str(text),
                            (end, y),
                            xytext=(4, 0),
                            textcoords="offset points",
                            va="center",
                            fontsize=8,
                        )
            if target is not None:
                axes.axvline(
                    _number(target),
                    color="#37474f",
                    linestyle="--",
                    linewidth=1,
                    label=str(target_label) or None,
                )
            axes.set_yticks(positions, labels)
            axes.invert_yaxis()
            axes.margins(x=0.12)
            axes.grid(axis="x", alpha=0.3)
            axes.set_axisbelow(True)
            if value_label:
                axes.set_xlabel(str(value_label))
            axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=4, frameon=False)
        if title:
            figure.suptitle(str(title), fontweight="bold")
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        figure.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


def _default(value: Any) -> str:
    return str(value)


def chart_cache_key(parts: Any) -> str:
    """A cache key from everything a chart depends on (JSON-able, or str()-able)."""
    text = json.dumps(parts, sort_keys=True, default=_default, ensure_ascii=False)
    return "chart:" + hashlib.sha256(text.encode()).hexdigest()


def cached_chart(parts: Any, build: Callable[[], bytes], *, timeout: int | None = None) -> bytes:
    """`build()`'s bytes, from Django's cache when the same `parts` were drawn
    within `timeout` seconds (default: settings.CHART_CACHE_SECONDS)."""
    key = chart_cache_key(parts)
    image = cache.get(key)
    if image is None:
        image = build()
        cache.set(key, image, settings.CHART_CACHE_SECONDS if timeout is None else timeout)
    return image
