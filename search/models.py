"""The directory's own search table: one denormalized row per published listing.

Only public fields are copied here (`registry.public`, through `search.entries`), so nothing read from this
table can leak a private one. The database backend queries it together with a full-text index
that its migration adds per engine: an FTS5 table on SQLite, a generated `tsvector` column
with GIN and trigram indexes on PostgreSQL. Wagtail's own search index stays for the admin.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .analysis import words


class DirectoryEntry(models.Model):
    organization = models.OneToOneField(
        "registry.Organization", primary_key=True, on_delete=models.CASCADE, related_name="directory_entry"
    )
    registry_number = models.CharField(max_length=30, blank=True)
    slug = models.SlugField(max_length=220, db_index=False)
    name = models.CharField(max_length=200)
    # Lower case without accents: the sort key and the target of trigram matching.
    name_folded = models.CharField(max_length=200, db_index=True)
    kind = models.CharField(max_length=20)
    legal_form = models.CharField(max_length=20)
    sector_code = models.CharField(max_length=50, blank=True)
    sector_name = models.CharField(max_length=100, blank=True)
    sector_name_en = models.CharField(max_length=100, blank=True)
    district_code = models.CharField(max_length=60, blank=True)
    district_name = models.CharField(max_length=100, blank=True)
    short_description = models.CharField(max_length=280, blank=True)
    description = models.TextField(blank=True)
    services = models.JSONField(default=list, blank=True)
    services_text = models.TextField(blank=True)
    languages = models.JSONField(default=list, blank=True)
    # " es en ": space-delimited so that LIKE '% es %' matches one whole code.
    language_codes = models.CharField(max_length=100, blank=True)
    # The id of this listing's FacetGroup: facet counts and facet filters use it alone.
    facet_group = models.PositiveIntegerField(default=0)
    badges = models.JSONField(default=list, blank=True)
    badge_codes = models.CharField(max_length=400, blank=True)
    address = models.CharField(max_length=250, blank=True)
    # Where "near me" places the listing (registry.public.search_position): its pin, or, when
    # `location_approximate`, its district's capital, which is never shown.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    location_approximate = models.BooleanField(default=False)
    phone = models.CharField(max_length=20, blank=True)
    whatsapp = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    facebook = models.URLField(blank=True)
    instagram = models.URLField(blank=True)
    tiktok = models.URLField(blank=True)
    opening_hours = models.JSONField(default=dict, blank=True)
    # One character per quarter hour of the week (Monday 00:00 first), "1" when open.
    open_slots = models.CharField(max_length=672, blank=True)
    founded_year = models.PositiveSmallIntegerField(null=True, blank=True)
    ruc = models.CharField(max_length=11, blank=True)
    # The storage name; the URL is made when a listing is read.
    logo = models.CharField(max_length=300, blank=True)
    # The registration date (else the first publication, else the creation): "newest" sorts by it.
    registered_at = models.DateTimeField(null=True, blank=True)
    # When the listing's data was last approved by staff or confirmed by its people.
    last_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The municipality whose registry holds the listing: its ubigeo (the `municipality` facet)
    # and its name. Facet labels (short names) are read from the municipalities themselves.
    municipality_code = models.CharField(max_length=6, blank=True)
    municipality_name = models.CharField(max_length=200, blank=True)
    # The listing's own last change: `search_index check` compares it with the organization's.
    source_updated_at = models.DateTimeField(null=True, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")
        # The filters and sorts of the directory (docs/benchmarks.md has the plans they serve):
        # the bounding box of a distance filter with the facets of what is inside; facet filters
        # in the order of "newest"; the newest of all; one listing by slug or registry number.
        # On SQLite also (organization_id, facet_group, name_folded, latitude, longitude), which
        # lets a full-text match be counted, ranked and filtered by distance without reading the
        # rows (migration 0004).
        indexes = [
            models.Index(
                fields=["latitude", "longitude", "facet_group", "organization"], name="directory_entry_near"
            ),
            models.Index(fields=["facet_group", "registered_at"], name="directory_entry_facets"),
            models.Index(fields=["registered_at", "organization"], name="directory_entry_newest"),
            models.Index(fields=["slug"], name="directory_entry_slug"),
            models.Index(fields=["registry_number"], name="directory_entry_number"),
        ]

    def __str__(self):
        return self.name


class FacetGroup(models.Model):
    """A combination of facet values that listings share: kind, sector, district, languages and
    the registering municipality.

    A hundred thousand listings fall into a few thousand groups. Counting facets is then a
    GROUP BY over one small integer (read from an index, not from the rows), and a facet filter
    becomes the list of groups that pass it, worked out in Python from this small table. Groups
    are only added: a group nobody is in any more costs a row and counts nothing."""

    kind = models.CharField(max_length=20)
    sector_code = models.CharField(max_length=50, blank=True)
    district_code = models.CharField(max_length=60, blank=True)
    language_codes = models.CharField(max_length=100, blank=True)
    # A district is served by one or two municipalities (a Lima district and the metropolitan
    # one): the municipality at most doubles the groups.
    municipality_code = models.CharField(max_length=6, blank=True)

    class Meta:
        verbose_name = _("directory facet group")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "sector_code", "district_code", "language_codes", "municipality_code"],
                name="directory_facet_group_key",
            )
        ]

    def __str__(self):
        return (
            f"{self.kind} · {self.sector_code} · {self.district_code} ·{self.language_codes}"
            f"· {self.municipality_code}"
        )


class Synonym(models.Model):
    """A group of words that mean the same to people searching the directory.

    Staff edit these in the admin. Both backends read them: the database backend expands queries
    with them at once; Elasticsearch reads them when an index is built (saving one schedules a
    rebuild, which swaps the alias without downtime)."""

    terms = models.CharField(
        max_length=300,
        unique=True,
        verbose_name=_("words"),
        help_text=_('Comma-separated words or phrases that mean the same, e.g. "bodega, minimarket".'),
    )

    class Meta:
        ordering = ["terms"]
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")

    def __str__(self):
        return self.terms

    def phrases(self):
        return [phrase.strip() for phrase in self.terms.split(",") if phrase.strip()]

    def clean(self):
        meaningful = {" ".join(words(phrase)) for phrase in self.phrases()} - {""}
        if len(meaningful) < 2:
            raise ValidationError(
                {"terms": _("Write at least two different words or phrases, separated by commas.")}
            )


class IndexVersion(models.Model):
    """One row whose token changes, in the same transaction, with every change of the directory's
    database index or of the synonyms.

    The database backend keys its in-process caches (facet counts of the whole directory, the
    indexed words for typo matching, the synonym groups) by this token, so a listing published
    by a task worker or another web process is seen at once everywhere, whatever the cache
    backend. A random token rather than a counter: a rolled-back change must not be confused
    with a later, different one that would reach the same count."""

    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("directory index version")


class Withdrawal(models.Model):
    """A listing that left the directory (unpublished, suspended, withdrawn or deleted): its
    registry number and when, so that partners who harvest changes (`modified_after` in the
    API) learn to remove it. Nothing else is kept: a tombstone says only that the number is no
    longer listed. Written and removed by `search.indexing` as listings leave and come back."""

    registry_number = models.CharField(max_length=30, primary_key=True)
    withdrawn_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("withdrawn listing")
        verbose_name_plural = _("withdrawn listings")

    def __str__(self):
        return self.registry_number


class PendingIndexChange(models.Model):
    """A listing whose change Elasticsearch has not taken yet: the Elasticsearch backlog
    (`search.backlog`).

    Written, when Elasticsearch is configured, in the transaction of the change itself (the
    registry's signals, an import), so a change that committed always has its row, whatever
    happens to the task that should index it or to Elasticsearch. Removed once Elasticsearch has
    the listing as the database index holds it. The organization is not a foreign key: a deleted
    listing's row must outlive it, to delete its document."""

    organization_id = models.BigIntegerField(primary_key=True)
    # Each new change of the listing gives the row a new `queued_at`: a drain deletes a row only
    # if it still has the value read before indexing, so a change that committed meanwhile stays.
    queued_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("listing pending in Elasticsearch")
        verbose_name_plural = _("listings pending in Elasticsearch")

    def __str__(self):
        return str(self.organization_id)
