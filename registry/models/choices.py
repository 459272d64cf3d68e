"""The named choices of the registry and the rules that tie them together, in one place.

Models, forms, the import and the review services all ask these; nothing compares raw strings.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    BUSINESS = "business", _("Business")
    ORGANIZATION = "organization", _("Organization")


class LegalForm(models.TextChoices):
    INFORMAL = "informal", _("Informal (not yet registered)")
    SOLE_PROPRIETOR = "sole_proprietor", _("Sole proprietor (persona natural con negocio)")
    COMPANY = "company", _("Company (EIRL, SAC, SRL…)")
    ASSOCIATION = "association", _("Association")
    COOPERATIVE = "cooperative", _("Cooperative")
    FOUNDATION = "foundation", _("Foundation")
    COMMUNITY_GROUP = "community_group", _("Community group")


# Which legal forms fit each kind: an informal business cannot be a foundation, an association
# is not a business. The wizard, the "Where do I start?" check and the import ask legal_form_fits.
LEGAL_FORMS_BY_KIND = {
    Kind.BUSINESS: [LegalForm.INFORMAL, LegalForm.SOLE_PROPRIETOR, LegalForm.COMPANY, LegalForm.COOPERATIVE],
    Kind.ORGANIZATION: [
        LegalForm.COMMUNITY_GROUP,
        LegalForm.ASSOCIATION,
        LegalForm.FOUNDATION,
        LegalForm.COOPERATIVE,
        LegalForm.INFORMAL,
    ],
}


def legal_form_fits(kind: str, legal_form: str) -> bool:
    return legal_form in LEGAL_FORMS_BY_KIND.get(kind, ())


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    OBSERVED = "observed", _("Observed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


# How a status reads at a glance on badges (a CSS class): good, needs attention, stopped.
STATUS_TONES = {
    ApplicationStatus.APPROVED: "ok",
    ApplicationStatus.OBSERVED: "warn",
    ApplicationStatus.REJECTED: "bad",
    ApplicationStatus.SUSPENDED: "bad",
}


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    VERIFIED = "verified", _("Verified by staff")
