"""The change log now lives in the `changelog` app (its 0001): sync forgets the
model but keeps the table, which `changelog` goes on using under the same name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0001_initial"),
        ("changelog", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ChangeLog")],
        ),
    ]
