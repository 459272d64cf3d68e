"""The database backend: the embedded default and the fallback when Elasticsearch is down."""

from django.core.cache import cache

VOCABULARY_VERSION_KEY = "directory_search:vocabulary_version"


def vocabulary_changed() -> None:
    """Tell every process that the indexed words changed (their typo-matching lists are stale)."""
    try:
        cache.incr(VOCABULARY_VERSION_KEY)
    except ValueError:
        cache.set(VOCABULARY_VERSION_KEY, 1, None)
