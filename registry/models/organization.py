import secrets
from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from modelcluster.models import ClusterableModel
from wagtail.models import DraftStateMixin, LockableMixin, RevisionMixin, WorkflowMixin
from wagtail.search import index

from ..phones import PhoneNumberField
from ..validators import validate_latitude, validate_longitude, validate_ruc
from .choices import STATUS_TONES, ApplicationStatus, Kind, LegalForm, StepStatus
from .membership import OrganizationMembership
from .municipality import home_municipality_id

# Languages a listing may say it serves in (ISO 639-1).
LANGUAGE_CHOICES = [
    ("es", _("Spanish")),
    ("en", _("English")),
    ("pt", _("Portuguese")),
    ("qu", _("Quechua")),
    ("ay", _("Aymara")),
    ("fr", _("French")),
    ("it", _("Italian")),
    ("zh", _("Chinese")),
    ("ar", _("Arabic")),
    ("wa", _("Wayuunaiki")),
]
LANGUAGE_CODES = {code for code, _label in LANGUAGE_CHOICES}

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAY_LABELS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}


def public_upload_to(instance, filename):
    """Random public names: a logo's original file name can carry a person's name."""
    suffix = PurePath(filename).suffix.lower()[:5]
    return f"listings/{timezone.now():%Y/%m}/{secrets.token_urlsafe(16)}{suffix}"


class OrganizationQuerySet(models.QuerySet):
    def published(self):
        """Listings the public may see: approved and live, not suspended."""
        return self.filter(live=True, status=ApplicationStatus.APPROVED)

    def visible_to_staff(self, user):
        """What `user`, a staff member, may open: their municipalities' registrations (all for a
        superuser), but never an applicant's draft that was never submitted.

        Until the applicant submits (which needs their consent under Ley 29733), their identity
        data and documents are theirs alone. Drafts with no applicant (an office's imported list,
        staff's own entries) stay visible: staff wrote them."""
        applicant_draft = Q(status=ApplicationStatus.DRAFT, submitted_at__isnull=True) & Exists(
            OrganizationMembership.objects.filter(organization=OuterRef("pk"))
        )
        from ..jurisdiction import within_reach

        return within_reach(self.exclude(applicant_draft), user)

    def managed_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()


class Organization(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    index.Indexed,
    ClusterableModel,
):
    """A migrant-led business or civil-society organization, as applied for and as listed.

    The database row is the live, approved listing; an approved organization's proposed
    changes wait in a revision until staff approve them (Wagtail's draft state and workflow).
    """

    # The registry it belongs to: its numbers, staff, workflow and retention (registry.jurisdiction).
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        default=home_municipality_id,
        related_name="organizations",
        verbose_name=_("municipality"),
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    legal_form = models.CharField(
        max_length=20, choices=LegalForm.choices, default=LegalForm.INFORMAL, verbose_name=_("legal form")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    slug = models.SlugField(max_length=220, unique=True, allow_unicode=False, verbose_name=_("slug"))
    sector = models.ForeignKey(
        "registry.Sector",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("sector"),
    )
    short_description = models.CharField(max_length=280, blank=True, verbose_name=_("short description"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    services = models.JSONField(default=list, blank=True, verbose_name=_("services or products"))
    languages = models.JSONField(default=list, blank=True, verbose_name=_("languages served"))

    district = models.ForeignKey(
        "registry.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("district"),
    )
    address = models.CharField(max_length=250, blank=True, verbose_name=_("address"))
    address_public = models.BooleanField(
        default=True,
        verbose_name=_("show the address publicly"),
        help_text=_("Home-based businesses may show only their district."),
    )
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_latitude],
        verbose_name=_("latitude"),
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_longitude],
        verbose_name=_("longitude"),
    )

    # E.164 (registry.phones); the WhatsApp number must be able to be a mobile.
    phone = PhoneNumberField(verbose_name=_("phone"))
    whatsapp = PhoneNumberField(whatsapp=True, verbose_name=_("WhatsApp"))
    email = models.EmailField(blank=True, verbose_name=_("e-mail"))
    website = models.URLField(
        blank=True, validators=[URLValidator(schemes=["http", "https"])], verbose_name=_("website")
    )
    facebook = models.URLField(blank=True, verbose_name=_("Facebook"))
    instagram = models.URLField(blank=True, verbose_name=_("Instagram"))
    tiktok = models.URLField(blank=True, verbose_name=_("TikTok"))
    opening_hours = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("opening hours"),
        help_text=_('Per weekday, a list of [opens, closes] pairs: {"mon": [["09:00", "18:00"]]}.'),
    )
    founded_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        verbose_name=_("year founded"),
    )
    logo = models.ImageField(upload_to=public_upload_to, blank=True, verbose_name=_("logo"))

    ruc = models.CharField(max_length=11, blank=True, validators=[validate_ruc], verbose_name=_("RUC"))
    licence_number = models.CharField(max_length=50, blank=True, verbose_name=_("municipal licence number"))
    sunarp_partida = models.CharField(max_length=30, blank=True, verbose_name=_("SUNARP partida"))

    # Registration state, owned by registry.services; preserved across revisions.
    status = models.CharField(
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        verbose_name=_("status"),  # indexed with `live` (Meta.indexes): one index, not three
    )
    # Unique through Meta.constraints rather than unique=True, which on PostgreSQL also builds a
    # second index for LIKE that nothing here uses; every index costs each imported row.
    registry_number = models.CharField(
        max_length=30, null=True, blank=True, verbose_name=_("registry number")
    )
    registered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("registered on"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted on"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided on"))
    decision_reason = models.TextField(blank=True, verbose_name=_("reason of the last decision"))
    # When staff last approved the listing's data (registration, changes, an official list) or
    # its people last confirmed it is still correct (registry.services.review): shown on the
    # listing so residents know how fresh it is.
    last_confirmed_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("data last confirmed on")
    )
    wizard_step = models.CharField(max_length=30, blank=True, default="", editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    objects = OrganizationQuerySet.as_manager()

    # Fields that belong to the registration, not to a revision of the listing: publishing an
    # old revision must never bring back an old status or drop the registry number.
    REGISTRATION_FIELDS = (
        "status",
        "registry_number",
        "registered_at",
        "submitted_at",
        "decided_at",
        "decision_reason",
        "last_confirmed_at",
        "created_by_id",
        "created_at",
        "slug",
        "wizard_step",
    )

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("registry_number"),
        index.SearchField("short_description"),
        index.FilterField("status"),
        index.FilterField("kind"),
        index.FilterField("live"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [
            models.Index(fields=["status", "live"]),
            models.Index(fields=["submitted_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["registry_number"], name="registry_organization_number_unique"),
        ]
        permissions = [
            ("review_organization", _("Can review applications (document check)")),
            ("approve_organization", _("Can approve registrations and assign numbers")),
            ("view_private_data", _("Can see people's private data and documents")),
        ]

    def __str__(self):
        return self.name

    def get_workflow(self):
        """Each municipality reviews with its own workflow, whose tasks belong to its groups;
        the model's workflow (Wagtail's default) serves a municipality that has none."""
        workflow = self.municipality.workflow if self.municipality_id else None
        if workflow is not None and workflow.active:
            return workflow
        return self.get_default_workflow()

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    # Listing addresses live under the directory page beside its own routes (the embeddable
    # directory's builder at /directorio/insertar/): a listing never takes one of their names.
    RESERVED_SLUGS = frozenset({"insertar"})

    def _unique_slug(self):
        base = slugify(self.name)[:180] or "organizacion"
        slug, n = base, 1
        while (
            slug in self.RESERVED_SLUGS or Organization.objects.filter(slug=slug).exclude(pk=self.pk).exists()
        ):
            n += 1
            slug = f"{base}-{n}"
        return slug

    def with_content_json(self, content):
        """A revision as an object, with what only staff decide taken from the record: the
        registration fields, each step's verification, and whether a document was accepted."""
        obj = super().with_content_json(content)
        for field in self.REGISTRATION_FIELDS:
            setattr(obj, field, getattr(self, field))
        # Revisions saved before the people, steps and documents rode in them leave those
        # relations as the record has them.
        if self.pk and "steps" in content:
            _keep_staff_verification(obj.steps.all(), {step.pk: step for step in self.steps.all()})
        if self.pk and "documents" in content:
            accepted = set(self.documents.filter(proposed=False).values_list("pk", flat=True))
            for document in obj.documents.all():
                document.proposed = document.pk not in accepted
        return obj

    # ----- display helpers -----------------------------------------------------------------

    @property
    def is_approved(self) -> bool:
        return self.status == ApplicationStatus.APPROVED

    @property
    def status_tone(self) -> str:
        return STATUS_TONES.get(self.status, "")

    @property
    def is_published(self):
        return self.live and self.status == ApplicationStatus.APPROVED

    @property
    def changes_in_review(self):
        """An approved listing whose proposed changes wait in the workflow. Lists annotate
        `_changes_in_review` in one query (registry.viewsets) instead of one query per row."""
        if hasattr(self, "_changes_in_review"):
            return self._changes_in_review
        return self.status == ApplicationStatus.APPROVED and self.workflow_in_progress

    def get_verification_url(self):
        if not self.registry_number:
            return ""
        # Printed on certificates, sent in e-mails and published in open data: the address
        # without a language prefix, which opens in the reader's own language (config/locale.py).
        with override(settings.LANGUAGE_CODE):
            return reverse("registry:verify", args=[self.registry_number])

    def language_names(self) -> list[str]:
        """The languages served, by name (an unknown code as it is)."""
        names = dict(LANGUAGE_CHOICES)
        return [str(names.get(code, code)) for code in self.languages or []]

    def opening_hours_by_day(self) -> list[tuple[str, list]]:
        """(abbreviated day name, spans) in week order, for the staff's screens ("lun: 09:00-18:00")."""
        hours = self.opening_hours or {}
        return [(str(WEEKDAYS_ABBR[i]), hours[day]) for i, day in enumerate(WEEKDAYS) if hours.get(day)]

    def is_open_at(self, moment: datetime) -> bool:
        """Whether the opening hours include this moment (in Lima's time)."""
        local = timezone.localtime(moment)
        day = WEEKDAYS[local.weekday()]
        now = local.strftime("%H:%M")
        return any(opens <= now < closes for opens, closes in self.opening_hours.get(day, []))

    def badges(self):
        """Formalization badges shown on cards: what staff have verified, not what was claimed."""
        verified = set(self.steps.filter(status=StepStatus.VERIFIED).values_list("step__code", flat=True))
        return sorted(verified)


def _keep_staff_verification(proposed_steps, recorded_steps: dict) -> None:
    """A proposal keeps a step's verification only while it keeps the evidence staff verified.

    An applicant who replaces the RUC or the licence behind a verified step proposes new
    evidence: once approved, the step is "done" again until staff verify the new evidence. A
    revision can never make a step verified by itself."""
    for step in proposed_steps:
        recorded = recorded_steps.get(step.pk)
        same_evidence = recorded is not None and (step.evidence_number, step.evidence_document_id) == (
            recorded.evidence_number,
            recorded.evidence_document_id,
        )
        if same_evidence and recorded.status == StepStatus.VERIFIED:
            step.status = StepStatus.VERIFIED
            step.verified_by_id, step.verified_at = recorded.verified_by_id, recorded.verified_at
        elif step.status == StepStatus.VERIFIED or step.verified_at is not None:
            step.status = StepStatus.DONE
            step.verified_by_id, step.verified_at = None, None


class OrganizationPhoto(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=public_upload_to, verbose_name=_("photo"))
    caption = models.CharField(max_length=200, blank=True, verbose_name=_("caption"))
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
