"""The words of a query, as the database backend matches them and both backends highlight them.

A query becomes groups of stems that must all match; each group lists alternative phrases: the
word itself, the staff's synonyms, and for a word the index does not know, at most five indexed
words within Elasticsearch's `fuzziness: AUTO` edit distance (looked up the engine's way,
`search.sql`). The last word, while it is being typed, also matches as a prefix.
"""

from itertools import product

from rapidfuzz.distance import Levenshtein

from . import analysis
from .memo import kept, memoized
from .models import Synonym
from .sql import dialect
from .version import current_version

# Typo expansion stops here: a short misspelt word can be one edit away from dozens of words,
# and each one widens the full-text query.
MAX_TYPO_ALTERNATIVES = 5


def _synonym_groups(version: int) -> list[list[tuple[str, ...]]]:
    def load():
        groups = []
        for synonym in Synonym.objects.all():
            phrases = [tuple(analysis.stems(p)) for p in synonym.phrases()]
            phrases = list(dict.fromkeys(p for p in phrases if p))
            if len(phrases) > 1:
                groups.append(phrases)
        return groups

    return memoized(version, "synonyms", load)


def close_enough(term: str, candidate: str) -> bool:
    # As Elasticsearch with prefix_length=1: the first letter is never a typo.
    return candidate[:1] == term[:1] and Levenshtein.distance(term, candidate) <= analysis.fuzziness(term)


def typo_alternatives(stems: list[str], version: int) -> dict[str, list[str]]:
    """For each stem the index does not know, the indexed stems it may be a typo of.

    What the index says of a stem (known: None; else its alternatives) is kept per index version:
    searches repeat their words, and on PostgreSQL asking the table of indexed words costs a
    query and about a millisecond of the server's time."""
    stems = [stem for stem in stems if analysis.fuzziness(stem)]
    if not stems:
        return {}
    known = kept(version, "typo alternatives")
    missing = [stem for stem in stems if stem not in known]
    if missing:
        found = dialect().typo_alternatives(missing, version, close_enough, MAX_TYPO_ALTERNATIVES)
        for stem in missing:
            known[stem] = found.get(stem)
    return {stem: known[stem] for stem in stems if known[stem] is not None}


def expand(text: str, version: int | None = None) -> list[list[tuple[str, ...]]]:
    """The query as groups that must all match; each group lists alternative phrases of stems:
    the word itself, its synonyms, the indexed words it may be a typo of.

    Synonym phrases are looked for among the words as typed and as corrected: "comida venezolna"
    is "comida venezolana", which the staff made a synonym of "arepas"."""
    if version is None:
        version = current_version()
    stems = analysis.stems(text)
    groups_by_synonym = _synonym_groups(version)
    typos = typo_alternatives(list(dict.fromkeys(stems)), version)
    candidates = [[stem, *typos.get(stem, [])] for stem in stems]
    groups, i = [], 0
    while i < len(stems):
        matched = None
        for length in (3, 2, 1):
            if i + length > len(stems):
                continue
            for phrase in product(*candidates[i : i + length]):
                matched = next((group for group in groups_by_synonym if phrase in group), None)
                if matched:
                    groups.append([phrase] + [p for p in matched if p != phrase])
                    i += length
                    break
            if matched:
                break
        if not matched:
            groups.append([(stem,) for stem in candidates[i]])
            i += 1
    return groups


def last_word_prefix(text: str) -> str | None:
    """The last word as typed so far, for matching as a prefix (autocomplete): only when the
    text does not end with a space and the word is long enough to mean something."""
    found = analysis.words(text)
    if not found or text.endswith(" ") or len(found[-1]) < 3:
        return None
    return analysis.stem(found[-1])


def stems_of(groups, prefix: str | None) -> set[str]:
    stems = {stem for group in groups for phrase in group for stem in phrase}
    if prefix:
        stems.add(prefix)
    return stems


def highlighted_stems(text: str) -> set[str]:
    """The stems a text query's highlights mark: its words, their synonyms, the indexed words
    they may be typos of, and the last word as a prefix (as the search matches them)."""
    return stems_of(expand(text), last_word_prefix(text)) if text else set()
