import unicodedata

from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


def fold(text: str) -> str:
    """Lower case without accents: how imports and searches compare names ("Breña" = "brena")."""
    normalized = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in normalized if not unicodedata.combining(c)).casefold().strip()


class TaxonomyQuerySet(models.QuerySet):
    def by_code_or_name(self, value: str):
        """Find one entry by code or by name, in any case, with or without accents."""
        wanted = fold(value)
        if not wanted:
            return None
        slug = slugify(wanted)
        for item in self.all():
            if wanted in {item.code, fold(item.name)} or slug == item.code:
                return item
            if fold(getattr(item, "also_known_as", "")) == wanted:
                return item
        return None


class Sector(index.Indexed, models.Model):
    """Editable taxonomy; the codes of DESIGN.md's shared vocabulary exist from the first migration."""

    code = models.SlugField(max_length=50, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=100, verbose_name=_("name (Spanish)"))
    name_en = models.CharField(max_length=100, blank=True, verbose_name=_("name (English)"))
    sort_order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))

    objects = TaxonomyQuerySet.as_manager()
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.label

    @property
    def label(self):
        from django.utils.translation import get_language

        if (get_language() or "es").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class District(models.Model):
    """The 43 districts of Lima Metropolitana and the 7 of Callao (registry/data/districts.csv)."""

    code = models.SlugField(max_length=60, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    province = models.CharField(max_length=50, verbose_name=_("province"))
    ubigeo = models.CharField(max_length=6, blank=True, db_index=True, verbose_name=_("INEI ubigeo"))
    also_known_as = models.CharField(max_length=100, blank=True, verbose_name=_("also known as"))
    # Where a listing whose address is private is placed for "near me" (registry.public).
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        verbose_name=_("latitude of the district capital"),
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        verbose_name=_("longitude of the district capital"),
    )

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name
