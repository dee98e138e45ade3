"""Record the government's calendar decisions per year (`CalendarYear`).

Years from 2028 on are computed from the Labour Code (the `holidays` library),
with `CalendarDay` rows on top. 2022–2026 had their decisions recorded and seeded
in full by 0002: they stay read from their rows alone (the rows win where the
library differs: the swap of 2/1/2026, and 24/11/2026 which the decision of that
year did not give off). 2027's rows are estimates, no decision was recorded: it
is computed, its rows on top, and the admin flags it.

Get-or-create semantics, as in 0002: a year already recorded is left alone; the
reverse is a no-op.
"""

from django.db import migrations, models

# (year, decision), frozen on writing; do not edit, add a migration instead.
DECIDED_YEARS = (
    (2022, "Thông báo lịch nghỉ Tết, lễ năm 2022 của Bộ LĐTB&XH"),
    (2023, "Văn bản 8056/VPCP-KGVX ngày 01/12/2022"),
    (2024, "Lịch nghỉ năm 2024; Văn bản 2450/VPCP-KGVX (hoán đổi 29/4 với thứ Bảy 4/5)"),
    (2025, "Thông báo 6150/TB-BLĐTBXH (Tết 2025); hoán đổi 2/5 với thứ Bảy 26/4"),
    (2026, "Văn bản 12729/VPCP-KGVX ngày 25/12/2025; Tết, Quốc khánh do Thủ tướng quyết định"),
)


def seed(apps, schema_editor):
    CalendarYear = apps.get_model("units", "CalendarYear")
    for year, decision in DECIDED_YEARS:
        CalendarYear.objects.get_or_create(
            year=year, defaults={"decision": decision, "listed_in_full": True}
        )


class Migration(migrations.Migration):

    dependencies = [
        ('units', '0003_login_sessions'),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarYear',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='năm')),
                ('decision', models.CharField(blank=True, help_text='Văn bản công bố lịch nghỉ Tết, Quốc khánh, hoán đổi ngày làm việc.', max_length=300, verbose_name='quyết định của Chính phủ')),
                ('listed_in_full', models.BooleanField(default=False, help_text='Bật: chỉ dùng các ngày ghi trong bảng. Tắt: tính theo luật, bảng ghi đè.', verbose_name='bảng đã ghi đủ ngày nghỉ cả năm')),
            ],
            options={
                'verbose_name': 'quyết định lịch nghỉ năm',
                'verbose_name_plural': 'quyết định lịch nghỉ năm',
                'ordering': ['year'],
                'constraints': [models.CheckConstraint(condition=models.Q(('year__gte', 1945), ('year__lte', 2199)), name='calendaryear_year_range')],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
