"""The tables of the directory's database index."""

from ..models import DirectoryEntry

ENTRY_TABLE = DirectoryEntry._meta.db_table
# SQLite: the FTS5 table of stems (migration 0002).
FTS_TABLE = "directory_search_fts"
# PostgreSQL: the indexed lexemes, where a misspelt word finds the words it may have meant.
TERM_TABLE = "directory_search_term"
# Temporary tables of a write: the quarter-hour slots of each timetable, the facet group of
# each combination of kind, sector, district and languages.
SLOTS_TABLE = "directory_search_slots"
GROUPS_TABLE = "directory_search_groups"
# Temporary table of a rebuild: the registry numbers in the index before it.
NUMBERS_TABLE = "directory_search_numbers"
