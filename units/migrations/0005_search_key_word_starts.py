"""Search keys in the word-start format (a space before every word, punctuation
as a separator; see thads.text.search_key): refill the existing rows."""

from django.db import migrations

from thads.models import refill_search_keys


def refill(apps, schema_editor):
    refill_search_keys(apps.get_model("units", "OrgUnit"), ("code", "name", "short_name"))


class Migration(migrations.Migration):
    dependencies = [("units", "0004_calendar_years")]

    operations = [migrations.RunPython(refill, migrations.RunPython.noop, elidable=True)]
