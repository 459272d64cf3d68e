"""Wagtail's own search index (the admin's listing search and choosers) for many records at once.

Wagtail indexes through django-modelsearch. Its database backend indexes a list of objects by
building, per object and per search field, a ``SearchVector`` expression in Python and
compiling them into one INSERT (PostgreSQL), or by one UPDATE per object already indexed
(SQLite); it then recomputes the title norms over the whole index. For the 20,000 listings of an
import that took 34 s on PostgreSQL, more than everything else the import does.

``index_in_transaction`` writes the same entries with one statement per chunk: the texts are
read from the records' columns and prepared as the backend prepares them (``_prepared``), and
PostgreSQL builds the tsvectors itself from arrays of texts, field by field in the backend's
order, weights and configurations (``tests/registry/test_admin_index.py`` compares every column
with what the backend's own ``add_bulk`` writes for the same records). It runs in the caller's
transaction, so the admin's search shows an import exactly when the directory does. Any other
backend (Elasticsearch for the admin, say), or a model whose search fields are not plain
columns, goes through the backend's own ``add_bulk``, by a task once the transaction commits.
"""

from django.db import connection, transaction
from django.utils.encoding import force_str
from modelsearch.index import AutocompleteField, SearchField
from wagtail.search.backends import get_search_backends_with_name

from . import bulk

CHUNK = 5000  # records per statement


def index_in_transaction(model, ids: list[int]) -> None:
    """Index these records of ``model`` in every auto-updated backend: the database backend now,
    in the caller's transaction; any other once it commits (``registry.tasks``)."""
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        return
    others = []
    for name, backend in _backends():
        if not _write(backend, model, ids):
            others.append(name)
    if others:
        # Lazy: the tasks module imports the models, which the services importing this load.
        from . import tasks

        transaction.on_commit(
            lambda: tasks.update_admin_search_index.enqueue(ids=ids, backends=others), robust=True
        )


def add_bulk(model, ids: list[int], backend_names: list[str] | None = None) -> None:
    """Index these records in the named backends (all auto-updated ones when None) now."""
    ids = sorted({int(pk) for pk in ids})
    for name, backend in _backends():
        if backend_names is not None and name not in backend_names:
            continue
        if _write(backend, model, ids):
            continue
        for start in range(0, len(ids), 1000):
            backend.add_bulk(model, list(model._default_manager.filter(pk__in=ids[start : start + 1000])))


def _backends():
    """(name, backend) of each backend kept up to date on saves, as Wagtail's signals see them."""
    return list(get_search_backends_with_name(with_auto_update=True))


def _write(backend, model, ids) -> bool:
    """Write the entries by SQL when the backend is the database one on this connection's engine
    and the model's search fields are columns; False when the backend must do it itself."""
    index = backend.get_index_for_model(model)
    kind = type(index).__name__
    if (connection.vendor, kind) not in {("postgresql", "PostgresIndex"), ("sqlite", "SQLiteIndex")}:
        return False
    fields = _columns(model)
    if fields is None:
        return False
    entries = index.entries.model
    content_type = _content_type_pk(model)
    attnames = [f.attname for _search_field, f in fields]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = model._default_manager.filter(pk__in=bulk.among(chunk)).values_list("pk", *attnames)
        texts = [(str(pk), [_prepared(value) for value in values]) for pk, *values in rows]
        if not texts:
            continue
        if kind == "PostgresIndex":
            _write_postgresql(entries, content_type, backend, fields, texts)
        else:
            _write_sqlite(entries, content_type, fields, texts)
    if any(_is_title(search_field) for search_field, _f in fields):
        # Only entries with a title take a norm: without title fields no entry written here has
        # one, and the backend's refresh (the whole index's average) would change none of them.
        index._refresh_title_norms()
    return True


def _columns(model):
    """(search field, model field) of each SearchField and AutocompleteField, in the model's
    order, when every one of them is a plain column (None otherwise: related fields, methods,
    stream fields with searchable content)."""
    found = []
    for search_field in model.get_search_fields():
        if not isinstance(search_field, (SearchField, AutocompleteField)):
            if type(search_field).__name__ == "RelatedFields":
                return None
            continue  # filter fields are not in the text index
        try:
            model_field = model._meta.get_field(search_field.field_name)
        except Exception:
            return None
        if (
            not model_field.concrete
            or model_field.is_relation
            or hasattr(model_field, "get_searchable_content")
        ):
            return None
        found.append((search_field, model_field))
    return found


def _prepared(value) -> str:
    """A value as the backend's ``ObjectIndexer.prepare_value`` makes it text (None too: "None")."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(_prepared(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(_prepared(item) for item in value.values())
    return force_str(value)


def _is_title(search_field) -> bool:
    return isinstance(search_field, SearchField) and search_field.field_name == "title"


def _content_type_pk(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def _write_postgresql(entries, content_type, backend, fields, texts) -> None:
    """One INSERT … SELECT … ON CONFLICT DO UPDATE (rows as one JSON text: registry.bulk), as the backend's own
    statement: each vector the concatenation (``||``) of one weighted ``to_tsvector`` per field
    text, stripped, in the order of the search fields; no text, the empty vector."""
    from modelsearch.backends.database.postgres.weights import get_weight

    title, body, autocomplete = [], [], []
    for position, (search_field, _model_field) in enumerate(fields):
        if isinstance(search_field, AutocompleteField):
            autocomplete.append((position, "D", backend.autocomplete_config))
        elif _is_title(search_field):
            title.append((position, get_weight(search_field.boost), backend.config))
        else:
            body.append((position, get_weight(search_field.boost), backend.config))

    params = []

    def vector(parts) -> str:
        if not parts:
            return "to_tsvector('')"
        sql = []
        for position, weight, config in parts:
            if config:
                params.append(config)
                sql.append(f"setweight(to_tsvector(%s::regconfig, COALESCE(t.f{position}, '')), '{weight}')")
            else:
                sql.append(f"setweight(to_tsvector(COALESCE(t.f{position}, '')), '{weight}')")
        return " || ".join(sql)

    selected = f"{vector(title)}, {vector(autocomplete)}, {vector(body)}"
    params.insert(0, content_type)  # the first placeholder, before the vectors' configurations
    rows = []
    for pk, values in texts:
        values = [text.strip() for text in values]
        rows.append(
            (
                pk,
                *values,
                " ".join(values[p] for p, _w, _c in title if values[p]),
                " ".join(values[p] for p, _w, _c in body if values[p]),
            )
        )
    source, param = bulk.recordset(
        [
            ("object_id", "text"),
            *((f"f{n}", "text") for n in range(len(fields))),
            ("title_text", "text"),
            ("body_text", "text"),
        ],
        rows,
    )
    params.append(param)
    table = connection.ops.quote_name(entries._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (content_type_id, object_id, title, autocomplete, body, title_norm, "  # noqa: S608 -- names from the models
            f"title_text, body_text) SELECT %s, t.object_id, {selected}, 1.0, t.title_text, t.body_text "
            f"FROM {source} "
            "ON CONFLICT (content_type_id, object_id) DO UPDATE SET title = EXCLUDED.title, "
            "title_norm = 1.0, autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body, "
            "title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text",
            params,
        )


def _write_sqlite(entries, content_type, fields, texts) -> None:
    """One prepared upsert through ``executemany``; the backend's triggers keep its FTS5 table in
    step. Texts joined with spaces, unstripped, as that backend joins them; a new entry's title
    norm is the default (1.0), an updated one keeps its own."""
    title = [n for n, (f, _m) in enumerate(fields) if _is_title(f)]
    autocomplete = [n for n, (f, _m) in enumerate(fields) if isinstance(f, AutocompleteField)]
    body = [n for n in range(len(fields)) if n not in title and n not in autocomplete]
    rows = [
        (
            content_type,
            pk,
            " ".join(values[n] for n in title),
            " ".join(values[n] for n in autocomplete),
            " ".join(values[n] for n in body),
        )
        for pk, values in texts
    ]
    table = connection.ops.quote_name(entries._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (content_type_id, object_id, title, autocomplete, body, title_norm) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, 1.0) ON CONFLICT (content_type_id, object_id) DO UPDATE SET "
            "title = excluded.title, autocomplete = excluded.autocomplete, body = excluded.body",
            rows,
        )
