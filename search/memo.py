"""In-process caches of the database backend, kept until the index version changes.

The version (`search.indexing.current_version`) changes in the same transaction as the index or
the synonyms, so a listing published by a task worker or another web process is seen at once
everywhere, whatever the cache backend.
"""

from django.db import connection

_memo: dict = {}
_memo_state = {"key": None}
MEMO_LIMIT = 512


# Dicts of their own (one per name, each with its own bound), so that many small values (one per
# word searched) never push the few costly ones above out of `_memo`.
_spaces: dict[str, dict] = {}


def _at(version: int) -> None:
    database = (connection.alias, connection.settings_dict.get("NAME"), version)
    if _memo_state["key"] != database:
        _memo.clear()
        _spaces.clear()
        _memo_state["key"] = database


def memoized(version: int, key, compute):
    """`compute()`, remembered in this process until the index version changes."""
    _at(version)
    try:
        return _memo[key]
    except KeyError:
        pass
    value = compute()
    if len(_memo) >= MEMO_LIMIT:
        _memo.clear()
    _memo[key] = value
    return value


def kept(version: int, name: str, limit: int = 4096) -> dict:
    """A dict of this process for values of one kind, emptied when the index version changes
    and when it holds `limit` of them."""
    _at(version)
    space = _spaces.setdefault(name, {})
    if len(space) >= limit:
        space.clear()
    return space


def forget_cached() -> None:
    """Drop this process's caches (other processes notice the new index version themselves)."""
    _memo.clear()
    _spaces.clear()
    _memo_state["key"] = None
