"""Revision content for many records at once, column by column.

A Wagtail revision holds ``serializable_data()`` of the record (django-modelcluster): every
serializable field through ``pre_save`` and ``value_to_string``, then each child relation's
records. Called on 20,000 imported listings that took 19 s on PostgreSQL (a million
``get_field_value`` calls), more than the rest of the import. ``contents`` gives the same
dictionaries from one ``values_list`` per chunk: each field's conversion is chosen once per
field, and a value that repeats (a status, a date, a district) is converted and encoded once.

What it gives equals ``serializable_data()`` of the records as they are in the database, given
the same time for ``auto_now`` fields (``tests/registry/test_revisions.py``). A field this does
not know how to convert the same way (a custom ``pre_save`` or ``value_to_string``), or a
record with children in a child relation, goes through ``serializable_data()`` itself.
"""

import datetime
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.encoding import is_protected_type
from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations

from . import bulk

CHUNK = 2000  # ids per IN (…)

_ENCODER = DjangoJSONEncoder()


def contents(model, ids: list[int], *, now: datetime.datetime, changes: Callable | None = None) -> dict:
    """{id: (str(record), content as JSON text)} for these records of ``model``.

    ``now`` is what ``auto_now`` fields take (``pre_save`` sets them when serialized);
    ``changes(values)``, given a record's ``{attname: value}``, may change it first (values a
    caller is about to write along with the revision)."""
    fields = [f for f in model._meta.fields if f.serialize]
    convert = [_converter(f, now) for f in fields]
    names = [f.name for f in fields]
    attnames = [f.attname for f in fields]
    pk_name = model._meta.pk.attname
    children = [r.get_accessor_name() for r in get_all_child_relations(model)]
    with_children = _with_children(model, ids) if None not in convert else None
    result = {}
    slow = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in model._default_manager.filter(pk__in=bulk.among(chunk)).values(pk_name, *attnames):
            pk = row[pk_name]
            if with_children is None or pk in with_children:
                slow.append(pk)
                continue
            if changes is not None:
                changes(row)
            data = {"pk": _native(pk)}
            for name, attname, conversion in zip(names, attnames, convert, strict=True):
                data[name] = conversion(row[attname])
            for name in children:
                data[name] = []
            # Values are JSON's own types by now, so the C encoder does it all (what
            # DjangoJSONEncoder would have done to dates and decimals is done by the converters).
            result[pk] = (_label(row), json.dumps(data))
    if slow:
        result.update(_slow(model, slow, now=now, changes=changes))
    return result


def _label(values) -> str:
    """str(record): the name, for the models whose __str__ is their name."""
    return str(values["name"]) if "name" in values else ""


def _with_children(model, ids) -> set | None:
    """The ids with a record in any child relation (their content goes the slow way); None
    when the model has child many-to-many relations (all of them do)."""
    if get_all_child_m2m_relations(model):
        return None
    found = set()
    for relation in get_all_child_relations(model):
        column = relation.field.attname
        manager = relation.related_model._default_manager
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            found.update(
                manager.filter(**{f"{column}__in": bulk.among(chunk)})
                .values_list(column, flat=True)
                .distinct()
            )
    return found


def _converter(field, now) -> Callable | None:
    """What ``get_field_value`` does to a value read from the database, or None when only the
    record itself can say (a custom ``pre_save`` or ``value_to_string``)."""
    if field.remote_field is not None and not isinstance(field, models.FileField):
        return _native  # the raw id
    pre_save = type(field).pre_save
    if pre_save not in (models.Field.pre_save, models.DateField.pre_save, models.DateTimeField.pre_save):
        if isinstance(field, models.FileField) and pre_save is models.FileField.pre_save:
            return _file_name  # an uncommitted file cannot come from the database
        return None
    if getattr(field, "auto_now", False):
        stamp = _native(_utc(now if isinstance(field, models.DateTimeField) else timezone.localdate(now)))
        return lambda _value: stamp
    if isinstance(field, models.DateTimeField):
        return _remembered(lambda value: _native(_utc(value)))
    to_string = type(field).value_to_string
    if to_string in (models.Field.value_to_string, models.DateField.value_to_string):
        # The base: str(value); date and time fields give protected values (or None) anyway.
        return _protected_or_str
    if to_string is models.JSONField.value_to_string:
        return _same
    return None


def _same(value):
    return value


def _protected_or_str(value):
    if value.__class__ in _PLAIN:  # what both branches give unchanged (most values)
        return value
    return _native(value) if is_protected_type(value) else str(value)


_JSON_TYPES = (str, int, float, bool, type(None))
_PLAIN = frozenset(_JSON_TYPES)


def _remembered(conversion: Callable) -> Callable:
    """``conversion`` run once per distinct value (an import's rows share a few dates)."""
    seen = {}

    def convert(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = converted = conversion(value)
            return converted

    return convert


def _native(value):
    """What DjangoJSONEncoder makes of a value (dates as ISO text, decimals as text)."""
    return value if isinstance(value, _JSON_TYPES) else _ENCODER.default(value)


def _utc(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.get_default_timezone())
        return timezone.localtime(value, datetime.UTC)
    return value


def _file_name(value):
    return value or ""  # str(FieldFile): its name, "" for none


def _slow(model, ids, *, now, changes) -> dict:
    """Through ``serializable_data()`` itself, children prefetched."""
    relations = [r.get_accessor_name() for r in get_all_child_relations(model)]
    result = {}
    auto_now = [f for f in model._meta.fields if getattr(f, "auto_now", False)]
    for start in range(0, len(ids), CHUNK):
        queryset = model._default_manager.filter(pk__in=ids[start : start + CHUNK]).prefetch_related(
            *relations
        )
        for record in queryset:
            if changes is not None:
                values = {f.attname: getattr(record, f.attname) for f in model._meta.concrete_fields}
                changes(values)
                for name, value in values.items():
                    setattr(record, name, value)
            data = record.serializable_data()
            for field in auto_now:  # the same time as the fast path's
                data[field.name] = _utc(now) if isinstance(field, models.DateTimeField) else now.date()
            result[record.pk] = (str(record), json.dumps(data, cls=DjangoJSONEncoder))
    return result


def content_sql(model, *, alias: str, overrides: dict[str, str] | None = None) -> str | None:
    """PostgreSQL: an expression giving, for the row ``alias`` of ``model``'s table, the
    ``jsonb`` content that ``contents`` gives for it (without children: the caller keeps the
    records that have some for ``contents``), or None when a field has no such expression.

    ``overrides`` maps attnames to SQL expressions of the values a caller writes along with the
    revision (``changes`` of ``contents``). The expression takes the named parameter
    ``%(revision_stamp)s``: ``revision_stamp(now)``, what ``auto_now`` fields take.

    Built by the database from the row it has, the content costs no Python per record and no
    JSON text to send and parse again (20,000 imported listings: about 1.5 s of this process's
    CPU and the server's parsing of 30 MB). Each conversion is written to give what
    DjangoJSONEncoder makes of the value ``contents`` would convert; ``jsonb`` keeps no key
    order, so the stored content is the same (``tests/registry/test_revisions.py``)."""
    overrides = overrides or {}
    quote = _quote
    pairs = [f"'pk', {alias}.{quote(model._meta.pk.column)}"]
    for field in model._meta.fields:
        if not field.serialize:
            continue
        value = overrides.get(field.attname, f"{alias}.{quote(field.column)}")
        expression = _field_sql(field, value)
        if expression is None:
            return None
        pairs.append(f"'{field.name}', {expression}")
    pairs += [f"'{r.get_accessor_name()}', '[]'::jsonb" for r in get_all_child_relations(model)]
    # jsonb_build_object takes at most 100 arguments: 50 pairs per call.
    parts = [f"jsonb_build_object({', '.join(pairs[n : n + 50])})" for n in range(0, len(pairs), 50)]
    return " || ".join(parts)


def revision_stamp(now: datetime.datetime) -> str:
    """What ``auto_now`` fields hold in a revision made at ``now`` (``content_sql``'s parameter)."""
    return _native(_utc(now))


_PLAIN_SQL = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)


def _field_sql(field, value: str) -> str | None:
    """``value`` (an SQL expression of ``field``'s column type) as ``_converter(field)`` gives it."""
    conversion = _converter(field, None) if not getattr(field, "auto_now", False) else "stamp"
    if conversion is None:
        return None
    if conversion == "stamp":
        return "%(revision_stamp)s::text"
    if conversion is _native:  # a foreign key's raw id
        return value
    if conversion is _file_name:
        return f"COALESCE({value}, '')"
    if conversion is _same:
        return value  # a JSON field's jsonb
    if isinstance(field, models.DateTimeField):
        # DjangoJSONEncoder: ISO 8601 in UTC, milliseconds only when there are microseconds, "Z".
        return (
            f"CASE WHEN {value} IS NULL THEN NULL ELSE to_char({value} AT TIME ZONE 'UTC', "
            f"'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN extract(microseconds FROM {value}) %% 1000000 <> 0 "
            f"THEN to_char({value} AT TIME ZONE 'UTC', '.MS') ELSE '' END || 'Z' END"
        )
    internal = field.get_internal_type()
    if internal in _PLAIN_SQL:
        return value
    if internal == "DecimalField":
        return f"{value}::text"  # str(Decimal) of the value read: the column's scale kept
    if internal == "DateField":
        return f"to_char({value}, 'YYYY-MM-DD')"
    return None


def _quote(name: str) -> str:
    from django.db import connection

    return connection.ops.quote_name(name)
