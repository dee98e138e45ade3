"""`next_reminder_at` moves from the assignment to its own narrow table
(directives.NextReminder): the sweep's updates no longer write the thirteen
indexes of `directives_assignment`. The pending instants are carried over."""

import django.db.models.deletion
from django.db import migrations, models

COPY_OUT = (
    "INSERT INTO directives_nextreminder (assignment_id, at) "
    "SELECT id, next_reminder_at FROM directives_assignment WHERE next_reminder_at IS NOT NULL"
)
COPY_BACK = (
    "UPDATE directives_assignment SET next_reminder_at = ("
    "SELECT at FROM directives_nextreminder "
    "WHERE directives_nextreminder.assignment_id = directives_assignment.id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0009_field_labels"),
    ]

    operations = [
        migrations.CreateModel(
            name="NextReminder",
            fields=[
                (
                    "assignment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="next_reminder",
                        serialize=False,
                        to="directives.assignment",
                        verbose_name="giao nhiệm vụ",
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="lần nhắc hạn tới")),
            ],
            options={
                "verbose_name": "lần nhắc hạn tới",
                "verbose_name_plural": "lần nhắc hạn tới",
            },
        ),
        migrations.RunSQL(COPY_OUT, reverse_sql=COPY_BACK),
        migrations.RemoveIndex(
            model_name="assignment",
            name="assignment_next_reminder",
        ),
        migrations.RemoveField(
            model_name="assignment",
            name="next_reminder_at",
        ),
        migrations.AddIndex(
            model_name="nextreminder",
            index=models.Index(fields=["at", "assignment"], name="next_reminder_due"),
        ),
    ]
