from django.db import migrations


def load_categories(apps, schema_editor):
    from directives.category_data import DEFAULT_CATEGORIES, DEFAULT_CATEGORY_KEYWORDS

    Category = apps.get_model("directives", "Category")
    for position, (code, name_vi, name_en) in enumerate(DEFAULT_CATEGORIES):
        # get_or_create: an admin's later edit of a category is never overwritten.
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name_vi": name_vi,
                "name_en": name_en,
                "keywords": list(DEFAULT_CATEGORY_KEYWORDS.get(code, ())),
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("directives", "0001_initial")]

    operations = [migrations.RunPython(load_categories, migrations.RunPython.noop)]
