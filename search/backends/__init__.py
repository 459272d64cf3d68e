"""Directory search backends. Each has `search(query) -> (total, hits, facet counts)`; the
selector in `search.selectors` picks one and turns counts into labelled facets."""
