"""Full-text indexes of the directory table, per database engine.

SQLite: an FTS5 table (rowid = organization id) whose columns hold Spanish stems computed in
Python; `remove_diacritics 2` folds whatever accents remain.

PostgreSQL: `unaccent` and `pg_trgm`; a text search configuration `portal_spanish` (Spanish
stemmer after unaccent); a generated, weighted `tsvector` column with a GIN index; a trigram
index on the folded name; and a table of indexed lexemes with a trigram index, which is where a
misspelt word finds the words it was meant to be.

Other engines get only the plain table (the backend then uses LIKE).
"""

from django.db import migrations

SYNONYMS = [
    "bodega, minimarket, tienda de abarrotes, abarrotes",
    "barbería, peluquería, salón de belleza",
    "delivery, reparto, envíos a domicilio",
    "costura, confección, arreglos de ropa, modista",
    "celulares, móviles, teléfonos",
    "gasfitería, plomería, gasfitero",
    "comida venezolana, arepera, arepas",
    "asesoría legal, abogado, orientación legal",
    "clases, academia, reforzamiento",
]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'portal_spanish') THEN
        CREATE TEXT SEARCH CONFIGURATION portal_spanish (COPY = pg_catalog.spanish);
        ALTER TEXT SEARCH CONFIGURATION portal_spanish
          ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
      END IF;
    END $$
    """,
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
    "CREATE INDEX directory_entry_name_trgm ON directory_search_directoryentry "
    "USING gin (name_folded gin_trgm_ops)",
    "CREATE TABLE directory_search_term (term text PRIMARY KEY)",
    "CREATE INDEX directory_search_term_trgm ON directory_search_term USING gin (term gin_trgm_ops)",
]

POSTGRES_BACKWARD = [
    "DROP TABLE IF EXISTS directory_search_term",
    "DROP INDEX IF EXISTS directory_entry_name_trgm",
    "DROP INDEX IF EXISTS directory_entry_fts",
    "ALTER TABLE directory_search_directoryentry DROP COLUMN IF EXISTS search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS portal_spanish",
]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE directory_search_fts USING fts5("
    "name, services, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE directory_search_fts_vocab USING fts5vocab(directory_search_fts, 'row')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS directory_search_fts_vocab", "DROP TABLE IF EXISTS directory_search_fts"]


def _run(statements):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def seed_synonyms(apps, schema_editor):
    Synonym = apps.get_model("directory_search", "Synonym")
    for terms in SYNONYMS:
        Synonym.objects.get_or_create(terms=terms)


class Migration(migrations.Migration):
    dependencies = [("directory_search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
        migrations.RunPython(seed_synonyms, migrations.RunPython.noop),
    ]
