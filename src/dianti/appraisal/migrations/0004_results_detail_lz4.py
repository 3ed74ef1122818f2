"""Compress results' detail and explanation with lz4 where PostgreSQL offers it: a province's recompute writes
150,000 details at once, and pglz (the default) costs the server about twice as much CPU for them. Nothing changes
on SQLite, nor on a server built without lz4."""

from django.db import migrations

COLUMNS = ("detail", "explanation")


def lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
        if not row or not row[0]:
            return
        for column in COLUMNS:
            cursor.execute(f"ALTER TABLE appraisal_subjectresult ALTER COLUMN {column} SET COMPRESSION lz4")


def pglz(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(f"ALTER TABLE appraisal_subjectresult ALTER COLUMN {column} SET COMPRESSION pglz")


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0003_resultpublication_assessmentround")]

    operations = [migrations.RunPython(lz4, pglz)]
