"""What any engine other than SQLite and PostgreSQL can do: the index is written through
model instances (`search.entries.build_entries`), and words are found with LIKE in the name,
the services and the description, without ranking."""

from dataclasses import dataclass, field

from .tables import ENTRY_TABLE

WRITES_BY_SQL = False


@dataclass
class TextMatch:
    """The words of a query in an engine's SQL.

    `filter` selects the matching entries (aliased `e`); `source`, when the engine ranks, is a
    FROM clause that yields them with `rank` (lower is better), and `ranked_filter` is the
    filter to add to `source` (None when `source` already filters)."""

    filter: str | None = None
    filter_params: list = field(default_factory=list)
    source: str = f"{ENTRY_TABLE} e"
    source_params: list = field(default_factory=list)
    rank: str | None = None
    ranked_filter: str | None = None
    ranked_params: list = field(default_factory=list)


def text_match(groups, prefix, *, any_word: bool = False) -> TextMatch:
    """Every word (or, with `any_word`, any of them) somewhere in the name, services or
    description."""
    match = TextMatch()
    ors = []
    for group in groups:
        alternatives = []
        for phrase in group:
            alternatives.append(
                "(e.name_folded LIKE %s OR LOWER(e.services_text) LIKE %s OR LOWER(e.description) LIKE %s)"
            )
            match.filter_params.extend([f"%{phrase[0]}%"] * 3)
        ors.append("(" + " OR ".join(alternatives) + ")")
    match.filter = (" OR " if any_word else " AND ").join(ors)
    match.ranked_filter, match.ranked_params = match.filter, match.filter_params
    return match


def typo_alternatives(stems: list[str], version: int, close_enough, limit: int) -> dict[str, list[str]]:
    """No vocabulary to look words up in: no typo is corrected."""
    return {}


def indexed_ids(cursor) -> None:
    """No full-text table that could drift from the entries."""
    return None


def facet_group_column(*, as_filter: bool) -> str:
    return "e.facet_group"


def names_starting(cursor, typed: str, limit: int) -> list[str]:
    cursor.execute(
        f"SELECT name FROM {ENTRY_TABLE} WHERE name_folded LIKE %s ORDER BY name_folded LIMIT %s",  # noqa: S608
        [typed.replace("%", "").replace("_", "") + "%", limit],
    )
    return [row[0] for row in cursor.fetchall()]


def names_with_word(cursor, typed: str, stems: list[str], limit: int) -> list[str]:
    cursor.execute(
        f"SELECT name FROM {ENTRY_TABLE} WHERE name_folded LIKE %s LIMIT %s",  # noqa: S608
        [f"% {typed}%", limit],
    )
    return [row[0] for row in cursor.fetchall()]
