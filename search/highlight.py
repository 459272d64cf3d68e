"""Highlights: the words of a hit that a query matched, in <mark>, for both backends.

Elasticsearch's own highlighter re-ran the fuzzy query over each hit's text, 200-500 ms for
"peluqueria" on 4,000 listings against 10 ms for the search itself; marking the page's hits in
Python costs little and gives the same marks whichever backend answered. The stems to mark come
from `search.expansion.highlighted_stems`.
"""

import html
import re

from . import analysis

TOKEN_RE = re.compile(r"\w+", re.UNICODE)

_token_stems: dict[str, str] = {}


def _token_stem(token: str) -> str:
    """The stem of a word as written in a listing ("" for a stop word); the same words recur in
    every listing, so they are remembered (a bounded number of them)."""
    found = _token_stems.get(token)
    if found is None:
        words = analysis.words(token)
        found = analysis.stem(words[0]) if words else ""
        if len(_token_stems) < 100_000:
            _token_stems[token] = found
    return found


def _matches(word_stem: str, stems: set[str]) -> bool:
    return word_stem in stems or any(len(s) >= 3 and word_stem.startswith(s) for s in stems)


# Whether a word as written matches the searched stems, per set of stems: a page's twenty hits
# share most of their words (the descriptions follow a few patterns), and a search's stems are
# asked about the same words again on its next page. A few searches' worth is kept.
_MATCHERS_LIMIT = 64
_matchers: dict[frozenset, dict[str, bool]] = {}


def _matcher(stems: set[str]) -> dict[str, bool]:
    key = frozenset(stems)
    found = _matchers.get(key)
    if found is None:
        if len(_matchers) >= _MATCHERS_LIMIT:
            _matchers.clear()
        found = _matchers[key] = {}
    return found


def _is_match(token: str, stems: set[str], known: dict[str, bool]) -> bool:
    found = known.get(token)
    if found is None:
        word_stem = _token_stem(token)
        found = bool(word_stem) and _matches(word_stem, stems)
        if len(known) < 10_000:
            known[token] = found
    return found


def mark(text: str, stems: set[str], fragment: int | None = None) -> str | None:
    """The text with <mark> around words whose stem was searched for (escaped HTML), or None.
    With `fragment`, a longer text is cut to that many characters around its first match, as
    Elasticsearch's fragments are."""
    if not text or not stems:
        return None
    folded = analysis.ascii_fold(text)
    # Most fields of most hits do not contain any searched stem: skip them without tokenizing.
    if not any(stem in folded for stem in stems):
        return None
    known = _matcher(stems)
    if fragment and len(text) > fragment:
        # Only the fragment is marked: find the first match, then mark around it.
        first_hit = next(
            (match.start() for match in TOKEN_RE.finditer(text) if _is_match(match.group(), stems, known)),
            None,
        )
        if first_hit is None:
            return None
        start = max(0, first_hit - fragment // 3)
        return mark(("…" if start else "") + text[start : start + fragment], stems)
    pieces, last = [], 0
    for match in TOKEN_RE.finditer(text):
        if not _is_match(match.group(), stems, known):
            continue
        pieces.append(html.escape(text[last : match.start()]))
        pieces.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    if not pieces:
        return None
    pieces.append(html.escape(text[last:]))
    return "".join(pieces)


def highlight_fields(name, services, short_description, description, stems) -> dict[str, str]:
    found = {
        "name": mark(name, stems),
        "services": mark(services, stems),
        "short_description": mark(short_description, stems),
        "description": mark(description, stems, fragment=160),
    }
    return {field: value for field, value in found.items() if value}


def highlight_listing(listing, stems: set[str]) -> dict[str, str]:
    """The same highlights for a `Listing` (Elasticsearch's hits), services joined as indexed."""
    services = " · ".join(listing.services or [])
    return highlight_fields(listing.name, services, listing.short_description, listing.description, stems)
