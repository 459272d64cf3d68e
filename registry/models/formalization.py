from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey

from .choices import Kind, StepStatus
from .documents import DocumentType


class EvidenceKind(models.TextChoices):
    NONE = "none", _("None")
    NUMBER = "number", _("A number")
    DOCUMENT = "document", _("A document")


class FormalizationStep(models.Model):
    """One step of the path to formality, e.g. "RUC at SUNAT". Editable by staff; seeded by a
    data migration with the Peruvian steps of DESIGN.md's glossary.

    A step without a municipality is national (Migraciones, SUNAT, SUNARP: the same everywhere)
    and shared by all; a municipality's own step is local (its operating licence, ITSE, its
    registry's requirements) and, with the code of a national step, replaces it for that
    municipality (`registry.formalization.steps_for`)."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="formalization_steps",
        verbose_name=_("municipality"),
        help_text=_(
            "Empty: a national step, shared by every municipality. A municipality's step with the "
            "code of a national one replaces it there."
        ),
    )
    code = models.SlugField(max_length=50, verbose_name=_("code"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    legal_forms = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("legal forms"),
        help_text=_("Codes of the legal forms this step applies to; empty means all."),
    )
    title = models.CharField(max_length=150, verbose_name=_("title"))
    title_en = models.CharField(max_length=150, blank=True, verbose_name=_("title (English)"))
    summary = models.TextField(blank=True, verbose_name=_("summary"))
    summary_en = models.TextField(blank=True, verbose_name=_("summary (English)"))
    cost = models.CharField(
        max_length=150, blank=True, verbose_name=_("cost"), help_text=_("E.g. S/ 112.40, or free.")
    )
    processing_time = models.CharField(
        max_length=150, blank=True, verbose_name=_("time"), help_text=_("E.g. 5 working days.")
    )
    office = models.CharField(
        max_length=250,
        blank=True,
        verbose_name=_("office"),
        help_text=_("Where to go: office, address and opening hours."),
    )
    requirements = models.TextField(blank=True, verbose_name=_("requirements"), help_text=_("One per line."))
    optional = models.BooleanField(default=False, verbose_name=_("optional"))
    sort_order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    evidence = models.CharField(
        max_length=10, choices=EvidenceKind.choices, default=EvidenceKind.NONE, verbose_name=_("evidence")
    )
    evidence_document_type = models.CharField(
        max_length=30, choices=DocumentType.choices, blank=True, verbose_name=_("document type for evidence")
    )
    # The rule and where it comes from, as UNCTAD's eRegulations shows for every step: the law,
    # decree or ordinance, the official pages it was read on, and whether it could be confirmed
    # there (the public page says so when it could not).
    legal_basis = models.TextField(
        blank=True,
        verbose_name=_("legal basis"),
        help_text=_("The law, decree or ordinance that sets this step, e.g. Ley 28976, art. 8."),
    )
    source_urls = models.TextField(
        blank=True,
        verbose_name=_("official sources"),
        help_text=_("Addresses of the official pages the rule was read on, one per line."),
    )
    confirmed = models.BooleanField(
        default=False,
        verbose_name=_("confirmed from an official source"),
        help_text=_("Tick only when the rule, cost and time were read on the official sources above."),
    )
    unconfirmed_note = models.TextField(
        blank=True,
        verbose_name=_("what could not be confirmed"),
        help_text=_("Shown to the public beside the step, e.g. the cost could not be confirmed."),
    )
    accepted_documents = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("identity documents accepted"),
        help_text=_("The person must hold one of these, valid, to do this step; none ticked means any."),
    )
    prerequisites = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("steps that come first"),
        help_text=_(
            "Codes of the steps that must be done before this one. A code that does not apply to the "
            "person (another legal form) is left out."
        ),
    )
    guide_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("guide page"),
    )

    class Meta:
        ordering = ["kind", "sort_order"]
        constraints = [
            # One national step per code, and one local step per code in each municipality (a
            # plain unique (code, municipality) would let national codes repeat: NULLs differ).
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(municipality__isnull=True),
                name="unique_national_step_code",
                violation_error_message=_("A national step with this code already exists."),
            ),
            models.UniqueConstraint(
                fields=["code", "municipality"],
                name="unique_local_step_code",
                violation_error_message=_("This municipality already has a step with this code."),
            ),
        ]
        verbose_name = _("formalization step")
        verbose_name_plural = _("formalization steps")

    def __str__(self):
        return self.label

    @property
    def label(self):
        if (get_language() or "es").startswith("en") and self.title_en:
            return self.title_en
        return self.title

    @property
    def description(self):
        """The summary in the active language (Spanish when the English one is empty)."""
        if (get_language() or "es").startswith("en") and self.summary_en:
            return self.summary_en
        return self.summary

    @property
    def is_local(self) -> bool:
        return self.municipality_id is not None

    @property
    def requirement_list(self) -> list[str]:
        return [line.strip() for line in self.requirements.splitlines() if line.strip()]

    @property
    def source_url_list(self) -> list[str]:
        return [line.strip() for line in self.source_urls.splitlines() if line.strip()]

    def accepts_document(self, document: str) -> bool:
        return not self.accepted_documents or document in self.accepted_documents

    def applies_to(self, kind, legal_form):
        return self.kind == kind and (not self.legal_forms or legal_form in self.legal_forms)

    def guide_url(self):
        if not self.guide_page_id:
            return ""
        page = self.guide_page.localized.specific  # the guide in the visitor's language, when translated
        return f"{page.url}#paso-{self.code}" if page.url else ""


class OrganizationStep(models.Model):
    """How far an organization is along one step, with its evidence. The applicant's claim and
    evidence ride in the organization's revisions; the verification is the staff's alone
    (`Organization.with_content_json` keeps it, and drops it when the evidence changed)."""

    organization = ParentalKey("registry.Organization", on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(FormalizationStep, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=20, choices=StepStatus.choices, default=StepStatus.NOT_STARTED, verbose_name=_("status")
    )
    evidence_number = models.CharField(max_length=50, blank=True, verbose_name=_("number"))
    evidence_document = models.ForeignKey(
        "registry.SupportingDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("document"),
    )
    valid_until = models.DateField(
        null=True,
        blank=True,
        verbose_name=_("valid until"),
        help_text=_("When what this step gave expires, if it does (an ITSE certificate, a licence)."),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["step__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "step"], name="unique_step_per_organization")
        ]
        verbose_name = _("formalization step of an organization")

    def __str__(self):
        return f"{self.organization}: {self.step} ({self.get_status_display()})"

    @property
    def is_done(self) -> bool:
        return self.status in {StepStatus.DONE, StepStatus.VERIFIED}

    @property
    def is_verified(self) -> bool:
        return self.status == StepStatus.VERIFIED
