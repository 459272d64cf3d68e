"""The directory's own search table: one denormalized row per published listing.

Only public fields are copied here (see `indexing.entry_values`), so nothing read from this
table can leak a private one. The database backend queries it together with a full-text index
that its migration adds per engine: an FTS5 table on SQLite, a generated `tsvector` column
with GIN and trigram indexes on PostgreSQL. Wagtail's own search index stays for the admin.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DirectoryEntry(models.Model):
    organization = models.OneToOneField(
        "registry.Organization", primary_key=True, on_delete=models.CASCADE, related_name="directory_entry"
    )
    registry_number = models.CharField(max_length=30, blank=True)
    slug = models.SlugField(max_length=220)
    name = models.CharField(max_length=200)
    # Lower case without accents: the sort key and the target of trigram matching.
    name_folded = models.CharField(max_length=200, db_index=True)
    kind = models.CharField(max_length=20, db_index=True)
    legal_form = models.CharField(max_length=20)
    sector_code = models.CharField(max_length=50, blank=True, db_index=True)
    sector_name = models.CharField(max_length=100, blank=True)
    sector_name_en = models.CharField(max_length=100, blank=True)
    district_code = models.CharField(max_length=60, blank=True, db_index=True)
    district_name = models.CharField(max_length=100, blank=True)
    short_description = models.CharField(max_length=280, blank=True)
    description = models.TextField(blank=True)
    services = models.JSONField(default=list, blank=True)
    services_text = models.TextField(blank=True)
    languages = models.JSONField(default=list, blank=True)
    # " es en ": space-delimited so that LIKE '% es %' matches one whole code.
    language_codes = models.CharField(max_length=100, blank=True)
    badges = models.JSONField(default=list, blank=True)
    badge_codes = models.CharField(max_length=400, blank=True)
    address = models.CharField(max_length=250, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
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
    logo = models.CharField(max_length=300, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    # The listing's own last change: `search_index check` compares it with the organization's.
    source_updated_at = models.DateTimeField(null=True, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")
        indexes = [models.Index(fields=["latitude", "longitude"], name="directory_entry_geo")]

    def __str__(self):
        return self.name


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
