"""The figures of the 22/4/2022 review conference, as data.

The seed document prints the province's results for the first 6 months of
statistical year 2022 (1/10/2021–31/3/2022). What it prints is entered as it
is; what it does not print but its rates constrain (a base) is derived as the
round number that reproduces every printed rate, and listed in `derived`;
what nothing constrains (the split between carried over and received, the
split between units) is illustrative and listed in `derived` too.
docs/decisions.md explains each derivation.

Each entry: metric → {figure: value}; only the primitive figures are given,
the others follow from the TT 06/2019 identities (see `complete`).
"""

from __future__ import annotations

YEAR = 2022
MONTHS = 6

# The "xong" of the conference (thi hành xong, including đình chỉ) is the
# rate's numerator; the document does not split it, so `terminated` is 0.
PROVINCE: dict[tuple[int, str], dict[str, dict[str, int]]] = {
    (2022, "all"): {
        "cases": {
            "enforceable": 7_479,  # printed: "Trong số 7.479 việc"
            "not_yet_enforceable": 1_633,  # derived: 7.479 / 9.112 = 82,08 %
            "completed": 4_778,  # printed: "đã thi hành xong 4.778 việc (63,89%)"
            "terminated": 0,
            "carried_over": 5_480,  # illustrative
            "entrusted_out": 95,  # illustrative
        },
        "money": {
            "enforceable": 761_546_547_000,  # printed
            "not_yet_enforceable": 531_840_453_000,  # derived: share 58,88 %
            "completed": 195_723_741_000,  # printed (25,7 %)
            "terminated": 0,
            "reduced": 0,
            "carried_over": 1_010_420_000_000,  # illustrative
            "entrusted_out": 12_350_000_000,  # illustrative
        },
    },
    # The same period of 2021: the conference prints only the change, +2,66
    # points of cases and +0,36 of money, so the 2021 rates are 61,23 % and
    # 25,34 %; the figures below are round bases giving exactly those rates.
    (2021, "all"): {
        "cases": {
            "enforceable": 7_118,
            "not_yet_enforceable": 1_702,
            "completed": 4_358,  # 4.358 / 7.118 = 61,23 %
            "terminated": 0,
            "carried_over": 5_210,
            "entrusted_out": 88,
        },
        "money": {
            "enforceable": 712_305_000_000,
            "not_yet_enforceable": 498_600_000_000,
            "completed": 180_495_000_000,  # 180.495 / 712.305 = 25,34 %
            "terminated": 0,
            "reduced": 0,
            "carried_over": 950_300_000_000,
            "entrusted_out": 10_500_000_000,
        },
    },
    (2022, "credit"): {
        "cases": {
            "enforceable": 216,  # derived: 56 / 216 = 25,93 % (printed)
            "not_yet_enforceable": 84,  # illustrative
            "completed": 56,  # printed
            "terminated": 0,
            "carried_over": 240,  # illustrative
            "entrusted_out": 3,  # illustrative
        },
        "money": {
            "enforceable": 354_940_000_000,  # derived: 13,81 % (printed)
            "not_yet_enforceable": 125_060_000_000,  # illustrative
            "completed": 49_017_644_000,  # printed
            "terminated": 0,
            "reduced": 0,
            "carried_over": 405_000_000_000,  # illustrative
            "entrusted_out": 2_100_000_000,  # illustrative
        },
    },
    (2022, "budget"): {
        "cases": {
            "enforceable": 6_445,  # derived: 4.067 / 6.445 = 63,10 % (printed 63,1 %)
            "not_yet_enforceable": 1_100,  # illustrative
            "completed": 4_067,  # printed
            "terminated": 0,
            "carried_over": 4_600,  # illustrative
            "entrusted_out": 60,  # illustrative
        },
        "money": {
            "enforceable": 78_665_000_000,  # derived: 26,55 % (printed)
            "not_yet_enforceable": 41_335_000_000,  # illustrative
            "completed": 20_885_640_000,  # printed
            "terminated": 0,
            "reduced": 0,
            "carried_over": 98_400_000_000,  # illustrative
            "entrusted_out": 1_200_000_000,  # illustrative
        },
    },
    # No rate printed for these two: the bases are illustrative.
    (2022, "prisoners"): {
        "cases": {
            "enforceable": 1_020,
            "not_yet_enforceable": 380,
            "completed": 548,  # printed
            "terminated": 0,
            "carried_over": 1_150,
            "entrusted_out": 12,
        },
        "money": {
            "enforceable": 31_800_000_000,
            "not_yet_enforceable": 22_400_000_000,
            "completed": 8_416_394_000,  # printed
            "terminated": 0,
            "reduced": 0,
            "carried_over": 47_500_000_000,
            "entrusted_out": 600_000_000,
        },
    },
    (2022, "corruption"): {
        "cases": {
            "enforceable": 96,
            "not_yet_enforceable": 34,
            "completed": 49,  # printed
            "terminated": 0,
            "carried_over": 112,
            "entrusted_out": 1,
        },
        "money": {
            "enforceable": 21_500_000_000,
            "not_yet_enforceable": 9_700_000_000,
            "completed": 4_395_772_000,  # printed
            "terminated": 0,
            "reduced": 0,
            "carried_over": 27_600_000_000,
            "entrusted_out": 300_000_000,
        },
    },
}

# Printed figures: the only ones not derived. Every other figure of every seeded
# report is marked derived.
PRINTED = {
    (2022, "all"): {"cases.enforceable", "cases.completed", "money.enforceable", "money.completed"},
    (2021, "all"): set(),
    (2022, "credit"): {"cases.completed", "money.completed"},
    (2022, "budget"): {"cases.completed", "money.completed"},
    (2022, "prisoners"): {"cases.completed", "money.completed"},
    (2022, "corruption"): {"cases.completed", "money.completed"},
}

# The province's figures are split between the reporting units in these
# proportions (illustrative: the document prints the province only). The
# department's own office takes the remainder, so the sums are exact.
UNIT_WEIGHTS = {
    "CC-TPBG": 16,
    "CC-HIEPHOA": 11,
    "CC-LANGGIANG": 9,
    "CC-LUCNAM": 9,
    "CC-LUCNGAN": 8,
    "CC-SONDONG": 4,
    "CC-TANYEN": 8,
    "CC-VIETYEN": 10,
    "CC-YENDUNG": 7,
    "CC-YENTHE": 6,
    "BG-CUC": 12,
}
REMAINDER_UNIT = "BG-CUC"

# The 2022 national targets set by the General Department for local agencies:
# above 81,50 % of cases and 40,10 % of money (the `all` group).
TARGETS = [(2022, "all", "cases", "81.50"), (2022, "all", "money", "40.10")]
TARGET_SOURCE = "Chỉ tiêu Tổng cục THADS giao năm 2022"


def complete(primitive: dict[str, int], *, money: bool) -> dict[str, int]:
    """All figures from the primitive ones, by the identities of TT 06/2019."""
    f = dict(primitive)
    f["to_enforce"] = f["enforceable"] + f["not_yet_enforceable"]
    f["received"] = f["to_enforce"] - f["carried_over"] + f["entrusted_out"]
    f["carried_forward"] = (
        f["to_enforce"] - f["completed"] - f["terminated"] - (f["reduced"] if money else 0)
    )
    if not money:
        f.pop("reduced", None)
    return f


def split(primitive: dict[str, int]) -> dict[str, dict[str, int]]:
    """The province's primitive figures shared between the units by weight
    (rounded down), the remainder to the department's office."""
    total = sum(UNIT_WEIGHTS.values())
    shares: dict[str, dict[str, int]] = {}
    for code, weight in UNIT_WEIGHTS.items():
        if code != REMAINDER_UNIT:
            shares[code] = {name: value * weight // total for name, value in primitive.items()}
    shares[REMAINDER_UNIT] = {
        name: value - sum(share[name] for share in shares.values())
        for name, value in primitive.items()
    }
    return shares
