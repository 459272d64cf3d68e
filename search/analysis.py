"""Text analysis shared by the database backends, mirroring the Elasticsearch analyzers:
fold accents and case, split into words, drop Spanish stop words, Snowball Spanish stems.

Elasticsearch and PostgreSQL both use the Snowball Spanish stemmer too, so "costuras",
"Costura" and "costura" meet on the same stem in every backend.
"""

import re

import snowballstemmer

from registry.text import ascii_fold  # re-exported: search.highlight and the backends fold with it

WORD_RE = re.compile(r"[0-9a-z]+")

# Spanish stop words: the most frequent words of Snowball's (and PostgreSQL's) Spanish list;
# they carry no meaning in a directory query ("bodega de arepas en comas").
STOPWORDS = frozenset(
    [
        "a",
        "al",
        "algo",
        "algunas",
        "algunos",
        "ante",
        "antes",
        "como",
        "con",
        "contra",
        "cual",
        "cuando",
        "de",
        "del",
        "desde",
        "donde",
        "durante",
        "e",
        "el",
        "ella",
        "ellas",
        "ellos",
        "en",
        "entre",
        "era",
        "es",
        "esa",
        "esas",
        "ese",
        "eso",
        "esos",
        "esta",
        "estas",
        "este",
        "esto",
        "estos",
        "fue",
        "ha",
        "hay",
        "la",
        "las",
        "le",
        "les",
        "lo",
        "los",
        "mas",
        "me",
        "mi",
        "mis",
        "mucho",
        "muy",
        "nada",
        "ni",
        "no",
        "nos",
        "o",
        "os",
        "otra",
        "otro",
        "para",
        "pero",
        "poco",
        "por",
        "porque",
        "que",
        "quien",
        "se",
        "sea",
        "ser",
        "si",
        "sin",
        "sobre",
        "son",
        "su",
        "sus",
        "tambien",
        "te",
        "tiene",
        "todo",
        "todos",
        "tu",
        "tus",
        "un",
        "una",
        "uno",
        "unos",
        "y",
        "ya",
        "yo",
    ]
)

_stemmer = snowballstemmer.stemmer("spanish")

# Word -> stem, with stop words mapped to "" (dropped). A plain dict rather than lru_cache: this
# runs for every word of every listing when the index is rebuilt. Bounded, since queries bring
# words too.
_STEMS: dict[str, str] = dict.fromkeys(STOPWORDS, "")
MAX_CACHED_STEMS = 200_000


def words(text: str) -> list[str]:
    """Folded words of a text, stop words removed ("Peluquería de Ana" -> peluqueria, ana)."""
    return [word for word in WORD_RE.findall(ascii_fold(text or "")) if word not in STOPWORDS]


def stem(word: str) -> str:
    found = _STEMS.get(word)
    if found is None:
        found = _stemmer.stemWord(word)
        if len(_STEMS) < MAX_CACHED_STEMS:
            _STEMS[word] = found
    return found


def stems(text: str) -> list[str]:
    """Snowball stems of the words of a text, stop words removed."""
    found = WORD_RE.findall(ascii_fold(text or ""))
    try:
        return [s for s in map(_STEMS.__getitem__, found) if s]
    except KeyError:
        return [s for s in map(stem, found) if s]


def stemmed_text(text: str) -> str:
    return " ".join(stems(text))


def fuzziness(term: str) -> int:
    """Edits allowed for a term, as Elasticsearch's `fuzziness: AUTO` (0 up to 2 letters, 1 up to
    5, 2 beyond)."""
    if len(term) <= 2:
        return 0
    return 1 if len(term) <= 5 else 2


# ----- opening hours ------------------------------------------------------------------------

SLOTS_PER_DAY = 96  # quarter hours
WEEK_SLOTS = 7 * SLOTS_PER_DAY
DAY_CODES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _minutes(hhmm: str) -> int | None:
    try:
        hours, minutes = hhmm.split(":")
        value = int(hours) * 60 + int(minutes)
    except (AttributeError, ValueError):
        return None
    return value if 0 <= value <= 24 * 60 else None


def open_ranges(opening_hours: dict) -> list[tuple[int, int]]:
    """Half-open ranges of quarter-hour slots of the week when the listing is open.

    A quarter counts as open when it starts inside an opening interval; an interval that closes
    after midnight ("20:00"-"02:00") runs on into the next morning."""
    ranges = []
    for day_index, day in enumerate(DAY_CODES):
        for interval in (opening_hours or {}).get(day, []) or []:
            if not isinstance(interval, list | tuple) or len(interval) != 2:
                continue
            opens, closes = _minutes(interval[0]), _minutes(interval[1])
            if opens is None or closes is None or opens == closes:
                continue
            if closes < opens:
                closes += 24 * 60
            start = day_index * SLOTS_PER_DAY + -(-opens // 15)
            end = day_index * SLOTS_PER_DAY + -(-closes // 15)
            if end > start:
                ranges.append((start, end))
    # Sunday night into Monday morning wraps around the week.
    wrapped = []
    for start, end in ranges:
        if end > WEEK_SLOTS:
            wrapped.extend([(start, WEEK_SLOTS), (0, end - WEEK_SLOTS)])
        else:
            wrapped.append((start, end))
    return sorted(wrapped)


def open_slots(opening_hours: dict) -> str:
    slots = ["0"] * WEEK_SLOTS
    for start, end in open_ranges(opening_hours):
        slots[start:end] = ["1"] * (end - start)
    return "".join(slots) if "1" in slots else ""


def slot_of(moment) -> int:
    """The quarter-hour slot of the week of a moment (in the site's time zone)."""
    from django.utils import timezone

    local = timezone.localtime(moment)
    return local.weekday() * SLOTS_PER_DAY + (local.hour * 60 + local.minute) // 15
