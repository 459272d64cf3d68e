"""Which formalization steps apply to whom, in what order, and how far along someone is.

The steps themselves are data (FormalizationStep, editable by staff); the rules that pick and
pre-fill them live here, used by the "Where do I start?" check and by the application.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from wagtail.models import Page

from . import vocabulary
from .models import (
    ApplicationStatus,
    DocumentKind,
    FormalizationStep,
    Municipality,
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


def steps_for(municipality: Municipality | None, kind: str, legal_form: str) -> list[FormalizationStep]:
    """The steps that apply in `municipality` to this kind and legal form, in order: the national
    steps, with the municipality's local steps added, and a local step replacing the national
    step of the same code (its own cost, time, office, requirements and summary). One query,
    whatever the number of municipalities. No municipality: the national steps alone."""
    scope = Q(municipality__isnull=True)
    if municipality is not None:
        scope |= Q(municipality=municipality)
    by_code: dict[str, FormalizationStep] = {}
    for step in FormalizationStep.objects.filter(scope, kind=kind).select_related("guide_page"):
        if step.is_local or step.code not in by_code:
            by_code[step.code] = step
    # Applies-to is asked of the step that won: a local step may narrow the legal forms.
    wanted = [step for step in by_code.values() if step.applies_to(kind, legal_form)]
    return sorted(wanted, key=lambda step: (step.sort_order, step.code))


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


def personal_path(
    kind: str, legal_form: str, answers: dict | None = None, municipality: Municipality | None = None
) -> list[PathStep]:
    answers = answers or {}
    return [
        PathStep(step, status_from_answers(step.code, answers))
        for step in steps_for(municipality, kind, legal_form)
    ]


def add_applicable_steps(organization: Organization, answers: dict | None = None) -> None:
    """Add the steps that apply to this organization's kind and legal form, in memory.

    The caller saves: a draft writes its steps with the row; a registration's steps go into the
    revision proposed to staff. Steps that no longer apply (the legal form changed) are kept only
    when they hold progress or evidence, so nothing an applicant recorded is silently lost.

    The steps are those of the organization's municipality (`steps_for`). A row kept for a step's
    code stands for it, national or local: progress recorded against the national licence step
    still counts once the municipality writes its own; an untouched row moves to the step that
    applies now (another municipality chosen, a local step added).
    """
    municipality = organization.municipality if organization.municipality_id else None
    wanted = steps_for(municipality, organization.kind, organization.legal_form)
    rows = list(organization.steps.all())
    code_of = dict(
        FormalizationStep.objects.filter(pk__in=[row.step_id for row in rows]).values_list("pk", "code")
    )
    by_code = {code_of.get(row.step_id): row for row in rows}

    def untouched(row):
        return (
            row.status == StepStatus.NOT_STARTED and not row.evidence_number and not row.evidence_document_id
        )

    added, dropped = [], []
    for step in wanted:
        row = by_code.get(step.code)
        if row is not None and row.step_id != step.pk and untouched(row):
            dropped.append(row)
            row = None
        if row is None:
            added.append(OrganizationStep(step=step, status=status_from_answers(step.code, answers or {})))
    wanted_codes = {step.code for step in wanted}
    dropped += [row for row in rows if code_of.get(row.step_id) not in wanted_codes and untouched(row)]
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


def _local_guide_id(municipality: Municipality, national_guide):
    """The municipality's own guide of the same slug, when its site has one; else the national one."""
    if national_guide is None or municipality.site is None:
        return national_guide.pk if national_guide else None
    own = (
        Page.objects.descendant_of(municipality.site.root_page)
        .filter(slug=national_guide.slug, locale_id=national_guide.locale_id)
        .values_list("pk", flat=True)
        .first()
    )
    return own or national_guide.pk


def add_local_steps(municipality: Municipality) -> list[FormalizationStep]:
    """Write the municipality's demo local steps (`vocabulary.LOCAL_FORMALIZATION_STEPS`, by
    ubigeo), each replacing the national step of its code there. Idempotent; a municipality
    without any gets none. What it does not say (kind, legal forms, order, evidence, guide) is
    the national step's."""
    written = []
    for local in vocabulary.LOCAL_FORMALIZATION_STEPS.get(municipality.ubigeo, []):
        national = FormalizationStep.objects.get(code=local["code"], municipality__isnull=True)
        shared = {
            field: getattr(national, field)
            for field in (
                "kind",
                "legal_forms",
                "optional",
                "sort_order",
                "evidence",
                "evidence_document_type",
            )
        }
        step, _created = FormalizationStep.objects.update_or_create(
            code=local["code"],
            municipality=municipality,
            defaults={**shared, "guide_page_id": _local_guide_id(municipality, national.guide_page), **local},
        )
        written.append(step)
    return written
