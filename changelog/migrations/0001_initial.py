"""The change log moves here from `sync` without touching its table.

The table `sync_changelog` was created by sync's 0001 and stays as it is: this
migration only tells Django's state that the model now lives in `changelog`
(sync's 0002 removes it from sync's state), and moves the model's content type,
hence its permissions, to the new app label.
"""

from django.db import migrations, models


def _move_content_type(apps, schema_editor, source, target):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    if not content_types.filter(app_label=target, model="changelog").exists():
        content_types.filter(app_label=source, model="changelog").update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "sync", "changelog")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "changelog", "sync")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("sync", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChangeLog",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("txid", models.BigIntegerField(blank=True, null=True)),
                        ("kind", models.CharField(max_length=20)),
                        ("object_id", models.BigIntegerField()),
                        ("unit_id", models.BigIntegerField(blank=True, null=True)),
                        ("user_id", models.BigIntegerField(blank=True, null=True)),
                        (
                            "op",
                            models.CharField(
                                choices=[("upsert", "Upsert"), ("delete", "Delete")],
                                default="upsert",
                                max_length=6,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                    ],
                    options={
                        "db_table": "sync_changelog",
                        "indexes": [models.Index(fields=["txid", "id"], name="changelog_txid_id")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("op__in", ["upsert", "delete"])),
                                name="changelog_op_valid",
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
