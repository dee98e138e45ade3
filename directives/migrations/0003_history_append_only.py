"""The audit trail refuses UPDATE and DELETE in the database itself, so that
no code path (admin, shell, a future bug) can rewrite history.

On SQLite (the embedded default) only UPDATE is refused: Django's test flush
empties tables with DELETE there, while PostgreSQL's TRUNCATE does not fire
row triggers."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION directives_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'directives_assignmentevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER directives_assignmentevent_append_only
    BEFORE UPDATE OR DELETE ON directives_assignmentevent
    FOR EACH ROW EXECUTE FUNCTION directives_history_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS directives_assignmentevent_append_only ON directives_assignmentevent;
DROP FUNCTION IF EXISTS directives_history_append_only();
"""
SQLITE_UP = [
    """CREATE TRIGGER directives_assignmentevent_no_update
       BEFORE UPDATE ON directives_assignmentevent
       BEGIN SELECT RAISE(ABORT, 'directives_assignmentevent is append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS directives_assignmentevent_no_update;",
]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("directives", "0002_default_categories")]

    operations = [migrations.RunPython(up, down)]
