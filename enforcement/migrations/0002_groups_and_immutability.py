"""The built-in statistics groups, and a validated report made immutable in the
database itself: any UPDATE (and, on PostgreSQL, DELETE) of a validated row
fails, whoever writes (the services refuse first, with a 409; this catches a
shell, the admin or a bug). SQLite keeps DELETE allowed, as for the directives'
history (directives migration 0003): Django flushes a SQLite test database
with DELETE, PostgreSQL's with TRUNCATE, which the trigger does not see."""

from django.db import migrations

GROUPS = [
    ("all", "Tất cả các việc", 0),
    ("credit", "Thu hồi nợ của tổ chức tín dụng", 10),
    ("budget", "Các khoản thu cho ngân sách nhà nước", 20),
    ("prisoners", "Phần dân sự của người đang chấp hành án phạt tù", 30),
    ("corruption", "Thu hồi tài sản trong vụ án tham nhũng, kinh tế", 40),
]

POSTGRES_UP = """
CREATE FUNCTION enforcement_unitreport_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'validated' THEN
        RAISE EXCEPTION 'validated statistics report % is immutable', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER enforcement_unitreport_immutable
    BEFORE UPDATE OR DELETE ON enforcement_unitreport
    FOR EACH ROW EXECUTE FUNCTION enforcement_unitreport_immutable();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS enforcement_unitreport_immutable ON enforcement_unitreport;
DROP FUNCTION IF EXISTS enforcement_unitreport_immutable();
"""
SQLITE_UP = [
    """CREATE TRIGGER enforcement_unitreport_immutable_update
    BEFORE UPDATE ON enforcement_unitreport WHEN OLD.status = 'validated'
    BEGIN SELECT RAISE(ABORT, 'validated statistics report is immutable'); END;"""
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS enforcement_unitreport_immutable_update"]


def add_groups(apps, schema_editor):
    StatGroup = apps.get_model("enforcement", "StatGroup")
    for code, name, position in GROUPS:
        StatGroup.objects.get_or_create(code=code, defaults={"name": name, "position": position})


def add_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)  # the % in RAISE is no placeholder
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0001_initial")]

    operations = [
        migrations.RunPython(add_groups, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
