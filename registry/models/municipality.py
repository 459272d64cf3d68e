import time

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class MunicipalityQuerySet(models.QuerySet):
    def served_by(self, user):
        """The municipalities whose staff groups `user` belongs to (all of them for a superuser).

        The one answer to "whose staff is this person"; registry.jurisdiction asks it."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(staff_groups__group__user=user).distinct()

    def covering(self, district):
        """Municipalities that take registrations in `district` (a Lima district and the
        metropolitan municipality may both)."""
        if district is None:
            return self.none()
        return self.filter(districts=district)


class Municipality(models.Model):
    """A municipality that keeps its own registry on this installation.

    It owns a Wagtail site (its host name and page tree), its staff groups, its review workflow
    and its registry numbers' prefix. Organizations belong to exactly one municipality; the
    districts say where it takes registrations."""

    class Kind(models.TextChoices):
        PROVINCIAL = "provincial", _("Provincial or metropolitan")
        DISTRICT = "district", _("District")

    ubigeo = models.CharField(
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("An ubigeo has six digits, e.g. 070103."))],
        verbose_name=_("INEI ubigeo"),
        help_text=_("Six digits; a province's ends in 00 (Lima Metropolitana: 150100)."),
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    short_name = models.CharField(
        max_length=80,
        verbose_name=_("short name"),
        help_text=_("As residents say it, for filters and labels: “Lima”, “Carmen de la Legua”."),
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    districts = models.ManyToManyField(
        "registry.District",
        related_name="municipalities",
        blank=True,
        verbose_name=_("districts where it takes registrations"),
    )
    registry_prefix = models.CharField(
        max_length=10,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z][A-Z0-9]{1,9}$", _("Capital letters and digits, starting with a letter."))
        ],
        verbose_name=_("registry number prefix"),
        help_text=_(
            "Letters that start every registry number, e.g. RMO-2026-000123. Unique across "
            "municipalities, so a number names its registry."
        ),
    )
    site = models.OneToOneField(
        "wagtailcore.Site",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="municipality",
        verbose_name=_("site"),
    )
    workflow = models.ForeignKey(
        "wagtailcore.Workflow",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("review workflow"),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
    )
    colour = models.CharField(
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour such as #8a1538."))],
        verbose_name=_("colour"),
    )
    open_data_licence = models.CharField(
        max_length=60,
        default="CC-BY-4.0",
        verbose_name=_("licence of its open data"),
        help_text=_("An SPDX identifier, e.g. CC-BY-4.0."),
    )
    retention_rejected_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        verbose_name=_("days to keep the documents of a rejected application"),
        help_text=_("Empty: the installation's default."),
    )
    retention_abandoned_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        verbose_name=_("days to keep the documents of an abandoned draft"),
        help_text=_("Empty: the installation's default."),
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name

    @property
    def rejected_retention_days(self) -> int:
        return self.retention_rejected_days or settings.REGISTRY_RETENTION_REJECTED_DAYS

    @property
    def abandoned_retention_days(self) -> int:
        return self.retention_abandoned_days or settings.REGISTRY_RETENTION_ABANDONED_DAYS


class StaffRole(models.TextChoices):
    REVIEWERS = "reviewers", _("Reviewers")
    REGISTRARS = "registrars", _("Registrars")
    EDITORS = "editors", _("Editors")


class MunicipalStaffGroup(models.Model):
    """A Django group that is one municipality's reviewers, registrars or editors.

    A person serves a municipality by belonging to one of its groups (and may serve several);
    the groups carry the same permissions everywhere, the municipality limits what they reach."""

    group = models.OneToOneField(
        "auth.Group", primary_key=True, on_delete=models.CASCADE, related_name="municipal_role"
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="staff_groups")
    role = models.CharField(max_length=20, choices=StaffRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "role"], name="one_group_per_role_and_municipality"
            )
        ]
        verbose_name = _("municipal staff group")
        verbose_name_plural = _("municipal staff groups")

    def __str__(self):
        return f"{self.group.name} ({self.municipality.short_name})"


def home_municipality() -> Municipality | None:
    """The installation's own municipality: the default site's, else the first one created.

    With one municipality (as the migrations leave an installation) it is that one, so commands,
    pages and the API need no municipality option."""
    return (
        Municipality.objects.filter(site__is_default_site=True).first()
        or Municipality.objects.order_by("pk").first()
    )


def home_municipality_id() -> int | None:
    """Organization.municipality's default: a registration made without naming a municipality
    (the office's own entries in a single-municipality installation) belongs to the home one.
    The wizard and imports always name it.

    Django calls a field's default for every ``Organization(...)`` built without that field:
    asked of the database each time it cost two queries per listing (11,000 listings built for
    a benchmark: 36 s). So the answer is kept in this process for ``HOME_TTL`` seconds, only when
    read outside a transaction (never a row that could still roll back), and forgotten as soon as
    a municipality or a site is saved or deleted in this process (``forget_home_municipality``,
    connected in RegistryConfig.ready); another process's change reaches this one within
    ``HOME_TTL`` seconds."""
    now = time.monotonic()
    if _home["until"] > now:
        return _home["id"]
    municipality = home_municipality()
    pk = municipality.pk if municipality else None
    if pk is not None and not transaction.get_connection().in_atomic_block:
        _home.update(id=pk, until=now + HOME_TTL)
    return pk


HOME_TTL = 60.0
_home: dict = {"id": None, "until": 0.0}


def forget_home_municipality(**_kwargs) -> None:
    """The home municipality is asked of the database again (a municipality or site changed)."""
    _home["until"] = 0.0
