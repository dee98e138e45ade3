"""Public holidays and swapped working days for civil servants, 2022–2027.

Legal basis
-----------
* Bộ luật Lao động 2019, Điều 112 khoản 1: 11 paid public-holiday days a year —
  Tết Dương lịch 1 ngày (1/1); Tết Âm lịch 5 ngày; Giỗ Tổ Hùng Vương 1 ngày
  (10/3 âm lịch); Ngày Chiến thắng 1 ngày (30/4); Ngày Quốc tế lao động 1 ngày
  (1/5); Quốc khánh 2 ngày (2/9 and one adjacent day, before or after).
* Điều 111 khoản 3 and Điều 112 khoản 3: a holiday that falls on a weekly rest day
  is given back on the next working day (nghỉ bù). Civil servants rest on Saturday
  and Sunday (Quyết định 188/1999/QĐ-TTg), so both weekend days are compensated.
* Every year the Prime Minister decides the Tết span and the day adjacent to 2/9,
  and may approve swapping a working day into a bridge holiday against a Saturday
  worked in exchange (hoán đổi ngày làm việc). These decisions are announced by the
  Ministry of Labour (Bộ LĐTB&XH) and, since its merger in 2025, by the Ministry of
  Home Affairs (Bộ Nội vụ), conveyed in letters of the Government Office (VPCP).

What a row means
----------------
Each row is (date, kind, name). "holiday" rows are listed for every legal holiday
date (even on a weekend, so the admin shows it), for every weekday given off
(compensation, adjacent or swapped day, Tết) and, for Tết, for the whole announced
span weekends included, because that is how the break is announced and known.
"workday" rows are the Saturdays worked in exchange for a swapped day. Only weekday
holidays and workday Saturdays change the arithmetic.

A consequence checked by the tests: in each year, weekday holidays minus worked
Saturdays equals the 11 days of Điều 112. If the planned 12th holiday (24/11, Ngày
Văn hóa Việt Nam, chosen by the Politburo; Nghị quyết 30/NQ-CP of 2026 asks for the
Labour Code to be amended) becomes law, it is added as data and that check updated.
It is not law as of this writing, so it is not listed.

Years after these are computed from the Labour Code (`units.public_holidays`,
the `holidays` library) with the table's rows on top; 2022–2026 are recorded as
decided and listed in full (`CalendarYear`), so only their rows count; 2027's
rows are estimates laid over the computed year (the computation adds 24/11).

Corrections go in the admin (Lịch ngày nghỉ / làm bù): this module only seeds the
table, through a migration that never overwrites an existing row. The migration
keeps its own frozen copy of these rows; a later correction here also needs a new
data migration (or an admin edit) to reach existing databases.
"""

from datetime import date

HOLIDAY = "holiday"
WORKDAY = "workday"

# Sources per year (A = follows the government's announcement for that year,
# D = Labour Code default rule because nothing was announced when this was written):
# 2022 A: MOLISA notice for 2022 — New Year 1/1 (Sat) given back Mon 3/1; Tết 29/1–6/2;
#         Giỗ Tổ 10/4 (Sun) given back Mon 11/4; 30/4 (Sat) and 1/5 (Sun) given back
#         Mon 2/5 and Tue 3/5; Quốc khánh 1/9 (Thu) + 2/9 (Fri).
# 2023 A: Văn bản 8056/VPCP-KGVX (1/12/2022) — Tết 20/1–26/1, Quốc khánh 1/9 (Fri) +
#         2/9 (Sat) given back Mon 4/9. New Year 1/1 (Sun) given back Mon 2/1. Giỗ Tổ
#         29/4 (Sat), 30/4 (Sun), 1/5 (Mon): the two weekend holidays were given back
#         Tue 2/5 and Wed 3/5 (break 29/4–3/5). There was no swap and no Saturday worked
#         in May 2023 (6/5/2023 is an ordinary Saturday).
# 2024 A: New Year Mon 1/1; Tết 8/2–14/2; Giỗ Tổ Thu 18/4; Mon 29/4 swapped against
#         Sat 4/5 (break 27/4–1/5, approved by the Prime Minister); Quốc khánh Mon 2/9
#         + Tue 3/9.
# 2025 A: New Year Wed 1/1 only (no swap); Tết 25/1–2/2; Giỗ Tổ Mon 7/4; Fri 2/5
#         swapped against Sat 26/4 (break 30/4–4/5); Quốc khánh Mon 1/9 + Tue 2/9.
# 2026 A: Văn bản 12729/VPCP-KGVX (25/12/2025) — Fri 2/1 swapped against Sat 10/1
#         (break 1/1–4/1). Prime Minister's approval of October 2025 (Bộ Nội vụ proposal)
#         — Tết 14/2–22/2 (27 Chạp Ất Tỵ to mùng 6 Bính Ngọ); Quốc khánh 2/9 (Wed) +
#         adjacent Tue 1/9, and Mon 31/8 swapped against Sat 22/8 (break 29/8–2/9).
#         D for Giỗ Tổ (26/4 Sun, given back Mon 27/4) and 30/4–1/5 (Thu–Fri): the rule
#         decides these, no swap was announced.
# 2027 D: not announced yet. New Year Fri 1/1; Giỗ Tổ Fri 16/4; 30/4 Fri, 1/5 (Sat)
#         given back Mon 3/5. Estimates where the Prime Minister must choose:
#         Tết (mùng 1 = Sat 6/2/2027) assumed 4/2–10/2, the span chosen in 2020 and
#         2024 when mùng 1 also fell on a Saturday; Quốc khánh 2/9 (Thu) assumed with
#         Fri 3/9, the choice made in 2021 when 2/9 was also a Thursday. Replace these
#         in the admin as soon as the 2027 announcement is out.
VIETNAM_CALENDAR_DAYS: tuple[tuple[date, str, str], ...] = (
    # --- 2022 ------------------------------------------------------------------
    (date(2022, 1, 1), HOLIDAY, "Tết Dương lịch"),  # T7
    (date(2022, 1, 3), HOLIDAY, "Nghỉ bù Tết Dương lịch"),  # T2
    (date(2022, 1, 29), HOLIDAY, "Tết Nguyên đán Nhâm Dần"),  # T7, 27 Chạp
    (date(2022, 1, 30), HOLIDAY, "Tết Nguyên đán Nhâm Dần"),  # CN
    (date(2022, 1, 31), HOLIDAY, "Tết Nguyên đán Nhâm Dần"),  # T2
    (date(2022, 2, 1), HOLIDAY, "Tết Nguyên đán Nhâm Dần"),  # T3, mùng 1
    (date(2022, 2, 2), HOLIDAY, "Tết Nguyên đán Nhâm Dần"),  # T4
    (date(2022, 2, 3), HOLIDAY, "Tết Nguyên đán Nhâm Dần"),  # T5
    (date(2022, 2, 4), HOLIDAY, "Tết Nguyên đán Nhâm Dần"),  # T6
    (date(2022, 2, 5), HOLIDAY, "Tết Nguyên đán Nhâm Dần"),  # T7
    (date(2022, 2, 6), HOLIDAY, "Tết Nguyên đán Nhâm Dần"),  # CN, mùng 6
    (date(2022, 4, 10), HOLIDAY, "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),  # CN
    (date(2022, 4, 11), HOLIDAY, "Nghỉ bù Giỗ Tổ Hùng Vương"),  # T2
    (date(2022, 4, 30), HOLIDAY, "Ngày Chiến thắng (30/4)"),  # T7
    (date(2022, 5, 1), HOLIDAY, "Ngày Quốc tế Lao động (1/5)"),  # CN
    (date(2022, 5, 2), HOLIDAY, "Nghỉ bù Ngày Chiến thắng"),  # T2
    (date(2022, 5, 3), HOLIDAY, "Nghỉ bù Ngày Quốc tế Lao động"),  # T3
    (date(2022, 9, 1), HOLIDAY, "Nghỉ lễ Quốc khánh (ngày liền kề)"),  # T5
    (date(2022, 9, 2), HOLIDAY, "Quốc khánh (2/9)"),  # T6
    # --- 2023 ------------------------------------------------------------------
    (date(2023, 1, 1), HOLIDAY, "Tết Dương lịch"),  # CN
    (date(2023, 1, 2), HOLIDAY, "Nghỉ bù Tết Dương lịch"),  # T2
    (date(2023, 1, 20), HOLIDAY, "Tết Nguyên đán Quý Mão"),  # T6, 29 Chạp
    (date(2023, 1, 21), HOLIDAY, "Tết Nguyên đán Quý Mão"),  # T7
    (date(2023, 1, 22), HOLIDAY, "Tết Nguyên đán Quý Mão"),  # CN, mùng 1
    (date(2023, 1, 23), HOLIDAY, "Tết Nguyên đán Quý Mão"),  # T2
    (date(2023, 1, 24), HOLIDAY, "Tết Nguyên đán Quý Mão"),  # T3
    (date(2023, 1, 25), HOLIDAY, "Tết Nguyên đán Quý Mão"),  # T4
    (date(2023, 1, 26), HOLIDAY, "Tết Nguyên đán Quý Mão"),  # T5, mùng 5
    (date(2023, 4, 29), HOLIDAY, "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),  # T7
    (date(2023, 4, 30), HOLIDAY, "Ngày Chiến thắng (30/4)"),  # CN
    (date(2023, 5, 1), HOLIDAY, "Ngày Quốc tế Lao động (1/5)"),  # T2
    (date(2023, 5, 2), HOLIDAY, "Nghỉ bù Giỗ Tổ Hùng Vương"),  # T3
    (date(2023, 5, 3), HOLIDAY, "Nghỉ bù Ngày Chiến thắng"),  # T4
    (date(2023, 9, 1), HOLIDAY, "Nghỉ lễ Quốc khánh (ngày liền kề)"),  # T6
    (date(2023, 9, 2), HOLIDAY, "Quốc khánh (2/9)"),  # T7
    (date(2023, 9, 4), HOLIDAY, "Nghỉ bù Quốc khánh"),  # T2
    # --- 2024 ------------------------------------------------------------------
    (date(2024, 1, 1), HOLIDAY, "Tết Dương lịch"),  # T2
    (date(2024, 2, 8), HOLIDAY, "Tết Nguyên đán Giáp Thìn"),  # T5, 29 Chạp
    (date(2024, 2, 9), HOLIDAY, "Tết Nguyên đán Giáp Thìn"),  # T6
    (date(2024, 2, 10), HOLIDAY, "Tết Nguyên đán Giáp Thìn"),  # T7, mùng 1
    (date(2024, 2, 11), HOLIDAY, "Tết Nguyên đán Giáp Thìn"),  # CN
    (date(2024, 2, 12), HOLIDAY, "Tết Nguyên đán Giáp Thìn"),  # T2
    (date(2024, 2, 13), HOLIDAY, "Tết Nguyên đán Giáp Thìn"),  # T3
    (date(2024, 2, 14), HOLIDAY, "Tết Nguyên đán Giáp Thìn"),  # T4, mùng 5
    (date(2024, 4, 18), HOLIDAY, "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),  # T5
    (date(2024, 4, 29), HOLIDAY, "Nghỉ hoán đổi dịp 30/4–1/5 (làm bù thứ Bảy 4/5)"),  # T2
    (date(2024, 4, 30), HOLIDAY, "Ngày Chiến thắng (30/4)"),  # T3
    (date(2024, 5, 1), HOLIDAY, "Ngày Quốc tế Lao động (1/5)"),  # T4
    (date(2024, 5, 4), WORKDAY, "Làm bù cho thứ Hai 29/4/2024"),  # T7
    (date(2024, 9, 2), HOLIDAY, "Quốc khánh (2/9)"),  # T2
    (date(2024, 9, 3), HOLIDAY, "Nghỉ lễ Quốc khánh (ngày liền kề)"),  # T3
    # --- 2025 ------------------------------------------------------------------
    (date(2025, 1, 1), HOLIDAY, "Tết Dương lịch"),  # T4
    (date(2025, 1, 25), HOLIDAY, "Tết Nguyên đán Ất Tỵ"),  # T7, 26 Chạp
    (date(2025, 1, 26), HOLIDAY, "Tết Nguyên đán Ất Tỵ"),  # CN
    (date(2025, 1, 27), HOLIDAY, "Tết Nguyên đán Ất Tỵ"),  # T2
    (date(2025, 1, 28), HOLIDAY, "Tết Nguyên đán Ất Tỵ"),  # T3
    (date(2025, 1, 29), HOLIDAY, "Tết Nguyên đán Ất Tỵ"),  # T4, mùng 1
    (date(2025, 1, 30), HOLIDAY, "Tết Nguyên đán Ất Tỵ"),  # T5
    (date(2025, 1, 31), HOLIDAY, "Tết Nguyên đán Ất Tỵ"),  # T6
    (date(2025, 2, 1), HOLIDAY, "Tết Nguyên đán Ất Tỵ"),  # T7
    (date(2025, 2, 2), HOLIDAY, "Tết Nguyên đán Ất Tỵ"),  # CN, mùng 5
    (date(2025, 4, 7), HOLIDAY, "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),  # T2
    (date(2025, 4, 26), WORKDAY, "Làm bù cho thứ Sáu 2/5/2025"),  # T7
    (date(2025, 4, 30), HOLIDAY, "Ngày Chiến thắng (30/4)"),  # T4
    (date(2025, 5, 1), HOLIDAY, "Ngày Quốc tế Lao động (1/5)"),  # T5
    (date(2025, 5, 2), HOLIDAY, "Nghỉ hoán đổi dịp 30/4–1/5 (làm bù thứ Bảy 26/4)"),  # T6
    (date(2025, 9, 1), HOLIDAY, "Nghỉ lễ Quốc khánh (ngày liền kề)"),  # T2
    (date(2025, 9, 2), HOLIDAY, "Quốc khánh (2/9)"),  # T3
    # --- 2026 ------------------------------------------------------------------
    (date(2026, 1, 1), HOLIDAY, "Tết Dương lịch"),  # T5
    (date(2026, 1, 2), HOLIDAY, "Nghỉ hoán đổi Tết Dương lịch (làm bù thứ Bảy 10/1)"),  # T6
    (date(2026, 1, 10), WORKDAY, "Làm bù cho thứ Sáu 2/1/2026"),  # T7
    (date(2026, 2, 14), HOLIDAY, "Tết Nguyên đán Bính Ngọ"),  # T7, 27 Chạp
    (date(2026, 2, 15), HOLIDAY, "Tết Nguyên đán Bính Ngọ"),  # CN
    (date(2026, 2, 16), HOLIDAY, "Tết Nguyên đán Bính Ngọ"),  # T2
    (date(2026, 2, 17), HOLIDAY, "Tết Nguyên đán Bính Ngọ"),  # T3, mùng 1
    (date(2026, 2, 18), HOLIDAY, "Tết Nguyên đán Bính Ngọ"),  # T4
    (date(2026, 2, 19), HOLIDAY, "Tết Nguyên đán Bính Ngọ"),  # T5
    (date(2026, 2, 20), HOLIDAY, "Tết Nguyên đán Bính Ngọ"),  # T6
    (date(2026, 2, 21), HOLIDAY, "Tết Nguyên đán Bính Ngọ"),  # T7
    (date(2026, 2, 22), HOLIDAY, "Tết Nguyên đán Bính Ngọ"),  # CN, mùng 6
    (date(2026, 4, 26), HOLIDAY, "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),  # CN
    (date(2026, 4, 27), HOLIDAY, "Nghỉ bù Giỗ Tổ Hùng Vương"),  # T2
    (date(2026, 4, 30), HOLIDAY, "Ngày Chiến thắng (30/4)"),  # T5
    (date(2026, 5, 1), HOLIDAY, "Ngày Quốc tế Lao động (1/5)"),  # T6
    (date(2026, 8, 22), WORKDAY, "Làm bù cho thứ Hai 31/8/2026"),  # T7
    (date(2026, 8, 31), HOLIDAY, "Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/8)"),  # T2
    (date(2026, 9, 1), HOLIDAY, "Nghỉ lễ Quốc khánh (ngày liền kề)"),  # T3
    (date(2026, 9, 2), HOLIDAY, "Quốc khánh (2/9)"),  # T4
    # --- 2027 (not announced yet: default rule and estimates, see above) ---------
    (date(2027, 1, 1), HOLIDAY, "Tết Dương lịch"),  # T6
    (date(2027, 2, 4), HOLIDAY, "Tết Nguyên đán Đinh Mùi (dự kiến)"),  # T5, 28 Chạp
    (date(2027, 2, 5), HOLIDAY, "Tết Nguyên đán Đinh Mùi (dự kiến)"),  # T6, 29 Chạp
    (date(2027, 2, 6), HOLIDAY, "Tết Nguyên đán Đinh Mùi (dự kiến)"),  # T7, mùng 1
    (date(2027, 2, 7), HOLIDAY, "Tết Nguyên đán Đinh Mùi (dự kiến)"),  # CN
    (date(2027, 2, 8), HOLIDAY, "Tết Nguyên đán Đinh Mùi (dự kiến)"),  # T2
    (date(2027, 2, 9), HOLIDAY, "Tết Nguyên đán Đinh Mùi (dự kiến)"),  # T3
    (date(2027, 2, 10), HOLIDAY, "Tết Nguyên đán Đinh Mùi (dự kiến)"),  # T4, mùng 5
    (date(2027, 4, 16), HOLIDAY, "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),  # T6
    (date(2027, 4, 30), HOLIDAY, "Ngày Chiến thắng (30/4)"),  # T6
    (date(2027, 5, 1), HOLIDAY, "Ngày Quốc tế Lao động (1/5)"),  # T7
    (date(2027, 5, 3), HOLIDAY, "Nghỉ bù Ngày Quốc tế Lao động"),  # T2
    (date(2027, 9, 2), HOLIDAY, "Quốc khánh (2/9)"),  # T5
    (date(2027, 9, 3), HOLIDAY, "Nghỉ lễ Quốc khánh (ngày liền kề, dự kiến)"),  # T6
)
