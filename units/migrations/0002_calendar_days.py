"""Seed the working-day calendar with Vietnam's holidays and swapped days, 2022–2027.

The rows are a frozen copy of `units.calendar_data.VIETNAM_CALENDAR_DAYS` as it stood
when this migration was written (see that module for the legal basis and sources).
They are copied rather than imported so that this migration inserts the same rows
forever: a later correction to the data module must not change what an old
migration does on a fresh database; it ships as its own migration instead.

Get-or-create semantics: a date that already has a row is left alone, so re-running
never overwrites what an administrator corrected in the admin. The reverse is a
no-op: unapplying must not delete rows an administrator may have edited since.
"""

from datetime import date

from django.db import migrations

# (ISO date, kind, name), frozen on writing; do not edit, add a migration instead.
CALENDAR_DAYS = (
    ("2022-01-01", "holiday", "Tết Dương lịch"),
    ("2022-01-03", "holiday", "Nghỉ bù Tết Dương lịch"),
    ("2022-01-29", "holiday", "Tết Nguyên đán Nhâm Dần"),
    ("2022-01-30", "holiday", "Tết Nguyên đán Nhâm Dần"),
    ("2022-01-31", "holiday", "Tết Nguyên đán Nhâm Dần"),
    ("2022-02-01", "holiday", "Tết Nguyên đán Nhâm Dần"),
    ("2022-02-02", "holiday", "Tết Nguyên đán Nhâm Dần"),
    ("2022-02-03", "holiday", "Tết Nguyên đán Nhâm Dần"),
    ("2022-02-04", "holiday", "Tết Nguyên đán Nhâm Dần"),
    ("2022-02-05", "holiday", "Tết Nguyên đán Nhâm Dần"),
    ("2022-02-06", "holiday", "Tết Nguyên đán Nhâm Dần"),
    ("2022-04-10", "holiday", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2022-04-11", "holiday", "Nghỉ bù Giỗ Tổ Hùng Vương"),
    ("2022-04-30", "holiday", "Ngày Chiến thắng (30/4)"),
    ("2022-05-01", "holiday", "Ngày Quốc tế Lao động (1/5)"),
    ("2022-05-02", "holiday", "Nghỉ bù Ngày Chiến thắng"),
    ("2022-05-03", "holiday", "Nghỉ bù Ngày Quốc tế Lao động"),
    ("2022-09-01", "holiday", "Nghỉ lễ Quốc khánh (ngày liền kề)"),
    ("2022-09-02", "holiday", "Quốc khánh (2/9)"),
    ("2023-01-01", "holiday", "Tết Dương lịch"),
    ("2023-01-02", "holiday", "Nghỉ bù Tết Dương lịch"),
    ("2023-01-20", "holiday", "Tết Nguyên đán Quý Mão"),
    ("2023-01-21", "holiday", "Tết Nguyên đán Quý Mão"),
    ("2023-01-22", "holiday", "Tết Nguyên đán Quý Mão"),
    ("2023-01-23", "holiday", "Tết Nguyên đán Quý Mão"),
    ("2023-01-24", "holiday", "Tết Nguyên đán Quý Mão"),
    ("2023-01-25", "holiday", "Tết Nguyên đán Quý Mão"),
    ("2023-01-26", "holiday", "Tết Nguyên đán Quý Mão"),
    ("2023-04-29", "holiday", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2023-04-30", "holiday", "Ngày Chiến thắng (30/4)"),
    ("2023-05-01", "holiday", "Ngày Quốc tế Lao động (1/5)"),
    ("2023-05-02", "holiday", "Nghỉ bù Giỗ Tổ Hùng Vương"),
    ("2023-05-03", "holiday", "Nghỉ bù Ngày Chiến thắng"),
    ("2023-09-01", "holiday", "Nghỉ lễ Quốc khánh (ngày liền kề)"),
    ("2023-09-02", "holiday", "Quốc khánh (2/9)"),
    ("2023-09-04", "holiday", "Nghỉ bù Quốc khánh"),
    ("2024-01-01", "holiday", "Tết Dương lịch"),
    ("2024-02-08", "holiday", "Tết Nguyên đán Giáp Thìn"),
    ("2024-02-09", "holiday", "Tết Nguyên đán Giáp Thìn"),
    ("2024-02-10", "holiday", "Tết Nguyên đán Giáp Thìn"),
    ("2024-02-11", "holiday", "Tết Nguyên đán Giáp Thìn"),
    ("2024-02-12", "holiday", "Tết Nguyên đán Giáp Thìn"),
    ("2024-02-13", "holiday", "Tết Nguyên đán Giáp Thìn"),
    ("2024-02-14", "holiday", "Tết Nguyên đán Giáp Thìn"),
    ("2024-04-18", "holiday", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2024-04-29", "holiday", "Nghỉ hoán đổi dịp 30/4–1/5 (làm bù thứ Bảy 4/5)"),
    ("2024-04-30", "holiday", "Ngày Chiến thắng (30/4)"),
    ("2024-05-01", "holiday", "Ngày Quốc tế Lao động (1/5)"),
    ("2024-05-04", "workday", "Làm bù cho thứ Hai 29/4/2024"),
    ("2024-09-02", "holiday", "Quốc khánh (2/9)"),
    ("2024-09-03", "holiday", "Nghỉ lễ Quốc khánh (ngày liền kề)"),
    ("2025-01-01", "holiday", "Tết Dương lịch"),
    ("2025-01-25", "holiday", "Tết Nguyên đán Ất Tỵ"),
    ("2025-01-26", "holiday", "Tết Nguyên đán Ất Tỵ"),
    ("2025-01-27", "holiday", "Tết Nguyên đán Ất Tỵ"),
    ("2025-01-28", "holiday", "Tết Nguyên đán Ất Tỵ"),
    ("2025-01-29", "holiday", "Tết Nguyên đán Ất Tỵ"),
    ("2025-01-30", "holiday", "Tết Nguyên đán Ất Tỵ"),
    ("2025-01-31", "holiday", "Tết Nguyên đán Ất Tỵ"),
    ("2025-02-01", "holiday", "Tết Nguyên đán Ất Tỵ"),
    ("2025-02-02", "holiday", "Tết Nguyên đán Ất Tỵ"),
    ("2025-04-07", "holiday", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2025-04-26", "workday", "Làm bù cho thứ Sáu 2/5/2025"),
    ("2025-04-30", "holiday", "Ngày Chiến thắng (30/4)"),
    ("2025-05-01", "holiday", "Ngày Quốc tế Lao động (1/5)"),
    ("2025-05-02", "holiday", "Nghỉ hoán đổi dịp 30/4–1/5 (làm bù thứ Bảy 26/4)"),
    ("2025-09-01", "holiday", "Nghỉ lễ Quốc khánh (ngày liền kề)"),
    ("2025-09-02", "holiday", "Quốc khánh (2/9)"),
    ("2026-01-01", "holiday", "Tết Dương lịch"),
    ("2026-01-02", "holiday", "Nghỉ hoán đổi Tết Dương lịch (làm bù thứ Bảy 10/1)"),
    ("2026-01-10", "workday", "Làm bù cho thứ Sáu 2/1/2026"),
    ("2026-02-14", "holiday", "Tết Nguyên đán Bính Ngọ"),
    ("2026-02-15", "holiday", "Tết Nguyên đán Bính Ngọ"),
    ("2026-02-16", "holiday", "Tết Nguyên đán Bính Ngọ"),
    ("2026-02-17", "holiday", "Tết Nguyên đán Bính Ngọ"),
    ("2026-02-18", "holiday", "Tết Nguyên đán Bính Ngọ"),
    ("2026-02-19", "holiday", "Tết Nguyên đán Bính Ngọ"),
    ("2026-02-20", "holiday", "Tết Nguyên đán Bính Ngọ"),
    ("2026-02-21", "holiday", "Tết Nguyên đán Bính Ngọ"),
    ("2026-02-22", "holiday", "Tết Nguyên đán Bính Ngọ"),
    ("2026-04-26", "holiday", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2026-04-27", "holiday", "Nghỉ bù Giỗ Tổ Hùng Vương"),
    ("2026-04-30", "holiday", "Ngày Chiến thắng (30/4)"),
    ("2026-05-01", "holiday", "Ngày Quốc tế Lao động (1/5)"),
    ("2026-08-22", "workday", "Làm bù cho thứ Hai 31/8/2026"),
    ("2026-08-31", "holiday", "Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/8)"),
    ("2026-09-01", "holiday", "Nghỉ lễ Quốc khánh (ngày liền kề)"),
    ("2026-09-02", "holiday", "Quốc khánh (2/9)"),
    ("2027-01-01", "holiday", "Tết Dương lịch"),
    ("2027-02-04", "holiday", "Tết Nguyên đán Đinh Mùi (dự kiến)"),
    ("2027-02-05", "holiday", "Tết Nguyên đán Đinh Mùi (dự kiến)"),
    ("2027-02-06", "holiday", "Tết Nguyên đán Đinh Mùi (dự kiến)"),
    ("2027-02-07", "holiday", "Tết Nguyên đán Đinh Mùi (dự kiến)"),
    ("2027-02-08", "holiday", "Tết Nguyên đán Đinh Mùi (dự kiến)"),
    ("2027-02-09", "holiday", "Tết Nguyên đán Đinh Mùi (dự kiến)"),
    ("2027-02-10", "holiday", "Tết Nguyên đán Đinh Mùi (dự kiến)"),
    ("2027-04-16", "holiday", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2027-04-30", "holiday", "Ngày Chiến thắng (30/4)"),
    ("2027-05-01", "holiday", "Ngày Quốc tế Lao động (1/5)"),
    ("2027-05-03", "holiday", "Nghỉ bù Ngày Quốc tế Lao động"),
    ("2027-09-02", "holiday", "Quốc khánh (2/9)"),
    ("2027-09-03", "holiday", "Nghỉ lễ Quốc khánh (ngày liền kề, dự kiến)"),
)


def seed_calendar_days(apps, schema_editor):
    CalendarDay = apps.get_model("units", "CalendarDay")
    alias = schema_editor.connection.alias
    existing = set(CalendarDay.objects.using(alias).values_list("date", flat=True))
    missing = [
        CalendarDay(date=day, kind=kind, name=name)
        for day, kind, name in ((date.fromisoformat(d), k, n) for d, k, n in CALENDAR_DAYS)
        if day not in existing
    ]
    # ignore_conflicts: a row added concurrently since the read above still wins.
    CalendarDay.objects.using(alias).bulk_create(missing, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_calendar_days, migrations.RunPython.noop, elidable=False),
    ]
