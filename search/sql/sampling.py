"""Fixed, unbiased samples of the directory's entries, for counts estimated above a threshold.

A listing belongs to the sample of rate R (1 in 16, 1 in 256) when the top bits of a
multiplicative hash of its id are zero: every listing has the same chance whatever its sector,
district or registration date, so the sample is not biased by the entries table's physical
order (clustered by sector and district: a LIMIT on a scan would take the first sectors only).
The same expression works on both engines' 64-bit integers (ids below 2**32 x 3). On PostgreSQL
each sample has its own partial GIN index (migration 0010), so finding a word's matches in the
sample reads 1/R of them, and partial geo indexes (migration 0013) do the same for a radius; on
SQLite the fine sample has a full-text table of its own (migration 0012) and the coarse one is a
condition on its rowids.

A search first counts its matches in the coarse sample (1 in 256), then in the fine one (1 in 16)
when the first found at most SWITCH_AT (so that one reads at most ~16 x SWITCH_AT rows): an
estimate has at least ~SWITCH_AT sampled rows behind it (a standard error of ~9 % or less on
the total), and reads matches / 16 or matches / 256 rows, whatever the directory's size.
"""

# Knuth's multiplicative constant; the hash's high bits (of 32) are well mixed, its low bits not.
_MULTIPLIER = 2654435761
FINE, COARSE = 16, 256
SHIFTS = {FINE: 28, COARSE: 24}
SWITCH_AT = 128


def condition(column: str, rate: int) -> str:
    """SQL true for the listings of the 1-in-`rate` sample (`column`: the organization id)."""
    return f"((({column} * {_MULTIPLIER}) & 4294967295) >> {SHIFTS[rate]}) = 0"


def in_sample(organization_id: int, rate: int) -> bool:
    """The same test in Python (tests)."""
    return ((organization_id * _MULTIPLIER) & 4294967295) >> SHIFTS[rate] == 0
