"""On PostgreSQL, a GIN index of every organization's name and short name by their characters and pairs of
characters (``dianti_name_grams``), so that a search for a name fragment — mostly two Chinese characters, too
short for pg_trgm's trigrams — reads the index instead of every organization (``orgs.selectors.org_matches``).
The index is on an expression, so the database keeps it current on every write, bulk loads included; other
databases get nothing and search by ``LIKE`` alone."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION dianti_name_grams(name text, short_name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(s, i, n)), '{}')
  FROM unnest(ARRAY[upper(name), upper(short_name)]) AS s, generate_series(1, length(s)) AS i,
       (VALUES (1), (2)) AS w(n)
  WHERE i + n - 1 <= length(s)
$$
"""
INDEX = "CREATE INDEX IF NOT EXISTS org_name_grams_idx ON orgs_organization USING gin (dianti_name_grams(name, short_name))"
DROP = ["DROP INDEX IF EXISTS org_name_grams_idx", "DROP FUNCTION IF EXISTS dianti_name_grams(text, text)"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [("orgs", "0004_person_phone_encrypted")]

    operations = [migrations.RunPython(forwards, backwards)]
