"""PostgreSQL: the full-text column `search_vector` becomes a plain column that a trigger fills
on every insert and update, with the same value the generated column had (`ALTER COLUMN … DROP
EXPRESSION` keeps the stored vectors). The rebuild then computes the vectors in the select list
of a `CREATE TABLE … AS`, which PostgreSQL runs in parallel workers; an `INSERT … SELECT` and a
generated column are always computed by the one inserting process (docs/benchmarks.md).

The JSON lists of an entry (services, languages) are read by two `PARALLEL SAFE` functions for the
same reason: a correlated subquery in the select list keeps the whole list in the leader. They
are PL/pgSQL loops of simple expressions, which PostgreSQL evaluates without starting an
executor per call (an SQL function with a subquery cost twice as much per row). Other engines are
unaffected."""

from django.db import migrations

# The vector of an entry: its name (weight A), services and sector (B), descriptions and
# district (C), in the `portal_spanish` configuration (migration 0002). Inlined by the planner.
VECTOR_FUNCTION = """
CREATE OR REPLACE FUNCTION directory_search_vector(
  name text, services text, sector text, short_description text, description text, district text
) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('portal_spanish'::regconfig, coalesce(name, '')), 'A') ||
    setweight(to_tsvector('portal_spanish'::regconfig, coalesce(services, '') || ' ' || coalesce(sector, '')), 'B') ||
    setweight(to_tsvector('portal_spanish'::regconfig,
              coalesce(short_description, '') || ' ' || coalesce(description, '') || ' ' || coalesce(district, '')), 'C')
$$
"""

# A JSON list's values as a JSON list: trimmed, empty ones (and any longer than `max_length`)
# dropped, order kept (`registry.public.clean_list`); anything but a list is an empty one.
LIST_FUNCTION = """
CREATE OR REPLACE FUNCTION directory_search_list(items jsonb, max_length integer)
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  result jsonb := '[]'::jsonb;
  item text;
BEGIN
  IF jsonb_typeof(items) IS DISTINCT FROM 'array' THEN
    RETURN result;
  END IF;
  FOR n IN 0 .. jsonb_array_length(items) - 1 LOOP
    item := btrim(items ->> n);
    IF item <> '' AND (max_length IS NULL OR length(item) <= max_length) THEN
      result := result || jsonb_build_array(item);
    END IF;
  END LOOP;
  RETURN result;
END
$$
"""

# The same values joined by `separator` ('' for none).
JOINED_FUNCTION = """
CREATE OR REPLACE FUNCTION directory_search_joined(items jsonb, separator text)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  result text := NULL;
  item text;
BEGIN
  IF jsonb_typeof(items) IS DISTINCT FROM 'array' THEN
    RETURN '';
  END IF;
  FOR n IN 0 .. jsonb_array_length(items) - 1 LOOP
    item := btrim(items ->> n);
    IF item <> '' THEN
      result := CASE WHEN result IS NULL THEN item ELSE result || separator || item END;
    END IF;
  END LOOP;
  RETURN coalesce(result, '');
END
$$
"""

TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION directory_search_vector_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := directory_search_vector(NEW.name, NEW.services_text, NEW.sector_name,
                                               NEW.short_description, NEW.description, NEW.district_name);
  RETURN NEW;
END
$$
"""

FORWARD = [
    VECTOR_FUNCTION,
    LIST_FUNCTION,
    JOINED_FUNCTION,
    TRIGGER_FUNCTION,
    "ALTER TABLE directory_search_directoryentry ALTER COLUMN search_vector DROP EXPRESSION",
    "CREATE TRIGGER directory_entry_search_vector BEFORE INSERT OR UPDATE ON directory_search_directoryentry "
    "FOR EACH ROW EXECUTE FUNCTION directory_search_vector_trigger()",
]

# Back to the generated column of migration 0002, and the indexes of 0002 and 0010 on it.
BACKWARD = [
    "DROP TRIGGER IF EXISTS directory_entry_search_vector ON directory_search_directoryentry",
    "ALTER TABLE directory_search_directoryentry DROP COLUMN search_vector",
    """
    ALTER TABLE directory_search_directoryentry ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
      setweight(to_tsvector('portal_spanish'::regconfig, coalesce(name, '')), 'A') ||
      setweight(to_tsvector('portal_spanish'::regconfig,
                coalesce(services_text, '') || ' ' || coalesce(sector_name, '')), 'B') ||
      setweight(to_tsvector('portal_spanish'::regconfig,
                coalesce(short_description, '') || ' ' || coalesce(description, '') || ' ' ||
                coalesce(district_name, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX directory_entry_fts ON directory_search_directoryentry USING gin (search_vector)",
    "CREATE INDEX directory_entry_fts_sample16 ON directory_search_directoryentry "
    "USING gin (search_vector) WHERE ((((organization_id * 2654435761) & 4294967295) >> 28) = 0)",
    "CREATE INDEX directory_entry_fts_sample256 ON directory_search_directoryentry "
    "USING gin (search_vector) WHERE ((((organization_id * 2654435761) & 4294967295) >> 24) = 0)",
    "DROP FUNCTION IF EXISTS directory_search_vector_trigger()",
    "DROP FUNCTION IF EXISTS directory_search_joined(jsonb, text)",
    "DROP FUNCTION IF EXISTS directory_search_list(jsonb, integer)",
    "DROP FUNCTION IF EXISTS directory_search_vector(text, text, text, text, text, text)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory_search", "0010_sampled_fulltext")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
