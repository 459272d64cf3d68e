"""Which formalization steps apply to whom, in what order, and how far along someone is.

The steps themselves are data (FormalizationStep, editable by staff); the rules that pick and
pre-fill them live here, used by the "Where do I start?" check and by the application.
"""

from dataclasses import dataclass
from datetime import datetime

from .models import (
    ApplicationStatus,
    DocumentKind,
    FormalizationStep,
    Organization,
    OrganizationStep,
    StepStatus,
)

# The step that is the registration in this portal itself: how far along it is is the state of
# the application, not something the applicant claims (`portal_registration_state`).
PORTAL_REGISTRATION_CODES = frozenset({"registro-portal-negocio", "registro-portal-organizacion"})

# What the "Where do I start?" answers tell about each step, by step code.
_MIGRATION_DOCUMENTS_THAT_COUNT = {DocumentKind.CPP, DocumentKind.CE, DocumentKind.DNI, DocumentKind.PTP}


@dataclass(frozen=True)
class PathStep:
    step: FormalizationStep
    status: str

    @property
    def done(self):
        return self.status in {StepStatus.DONE, StepStatus.VERIFIED}

    @property
    def status_label(self):
        return StepStatus(self.status).label


def applicable_steps(kind: str, legal_form: str) -> list[FormalizationStep]:
    steps = FormalizationStep.objects.filter(kind=kind).select_related("guide_page").order_by("sort_order")
    return [step for step in steps if step.applies_to(kind, legal_form)]


def status_from_answers(code: str, answers: dict) -> str:
    """Pre-fill a step's status from the check's answers (yes / in progress / no)."""
    if code == "documento-migratorio":
        document = answers.get("migration_document")
        if document in _MIGRATION_DOCUMENTS_THAT_COUNT:
            return StepStatus.DONE
        if document in {DocumentKind.REFUGEE, DocumentKind.PASSPORT}:
            return StepStatus.IN_PROGRESS
        return StepStatus.NOT_STARTED
    answer_for = {
        "ruc": "has_ruc",
        "licencia": "has_licence",
        "estatuto": "has_statute",
        "asamblea-fundacion": "has_statute",
    }
    key = answer_for.get(code)
    if key is None:
        return StepStatus.NOT_STARTED
    return {"yes": StepStatus.DONE, "in_progress": StepStatus.IN_PROGRESS}.get(
        answers.get(key), StepStatus.NOT_STARTED
    )


def personal_path(kind: str, legal_form: str, answers: dict | None = None) -> list[PathStep]:
    answers = answers or {}
    return [
        PathStep(step, status_from_answers(step.code, answers)) for step in applicable_steps(kind, legal_form)
    ]


def add_applicable_steps(organization: Organization, answers: dict | None = None) -> None:
    """Add the steps that apply to this organization's kind and legal form, in memory.

    The caller saves: a draft writes its steps with the row; a registration's steps go into the
    revision proposed to staff. Steps that no longer apply (the legal form changed) are kept only
    when they hold progress or evidence, so nothing an applicant recorded is silently lost.
    """
    wanted = applicable_steps(organization.kind, organization.legal_form)
    existing = {row.step_id: row for row in organization.steps.all()}
    added = [
        OrganizationStep(step=step, status=status_from_answers(step.code, answers or {}))
        for step in wanted
        if step.pk not in existing
    ]
    wanted_ids = {step.pk for step in wanted}
    dropped = [
        row
        for step_id, row in existing.items()
        if step_id not in wanted_ids and row.status == StepStatus.NOT_STARTED and not row.evidence_number
    ]
    if added:
        organization.steps.add(*added)
    if dropped:
        organization.steps.remove(*dropped)


def ensure_organization_steps(organization: Organization, answers: dict | None = None) -> None:
    """The applicable steps, written to the database now (a saved draft, the demo data)."""
    add_applicable_steps(organization, answers)
    organization.save(update_fields=["steps"])  # commits the relation, leaves the row alone


def portal_registration_state(organization: Organization) -> tuple[str, datetime | None]:
    """The portal registration step as the application stands: not started while a draft (or
    after a rejection), in progress once sent to staff, done once approved, since the approval
    (a suspension does not undo the registration)."""
    status = organization.status
    if status in {ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED}:
        return StepStatus.DONE, organization.registered_at or organization.decided_at
    if status in {ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.OBSERVED}:
        return StepStatus.IN_PROGRESS, None
    return StepStatus.NOT_STARTED, None


def organization_path(organization: Organization) -> list[OrganizationStep]:
    """The organization's steps in order, each with `done_on` (the date a step is known done, or
    None); the portal registration step follows the application (`portal_registration_state`).
    The rows are for showing: the portal step's state is not saved."""
    rows = list(
        organization.steps.select_related("step", "step__guide_page", "evidence_document").order_by(
            "step__sort_order"
        )
    )
    for row in rows:
        row.done_on = row.verified_at if row.status == StepStatus.VERIFIED else None
        if row.step.code in PORTAL_REGISTRATION_CODES:
            row.status, row.done_on = portal_registration_state(organization)
    return rows


def applicant_steps(organization: Organization):
    """The steps the applicant reports on in the wizard: all but the portal registration, which
    the application itself moves."""
    return (
        organization.steps.exclude(step__code__in=PORTAL_REGISTRATION_CODES)
        .select_related("step", "step__guide_page")
        .order_by("step__sort_order")
    )


def progress(rows) -> int:
    """Percentage of required steps done or verified (optional steps do not hold anyone back)."""
    required = [row for row in rows if not row.step.optional]
    if not required:
        return 100
    done = sum(1 for row in required if row.status in {StepStatus.DONE, StepStatus.VERIFIED})
    return round(100 * done / len(required))
