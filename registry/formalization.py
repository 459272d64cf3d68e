"""Which formalization steps apply to whom, in what order, and how far along someone is.

The steps themselves are data (FormalizationStep, editable by staff); the rules that pick and
pre-fill them live here, used by the "Where do I start?" check and by the application.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from . import vocabulary
from .models import (
    ApplicationStatus,
    DocumentKind,
    FormalizationStep,
    Municipality,
    Organization,
    OrganizationStep,
    PersonRole,
    StepStatus,
)

# The step that is the registration in this portal itself: how far along it is is the state of
# the application, not something the applicant claims (`portal_registration_state`).
PORTAL_REGISTRATION_CODES = frozenset({"registro-portal-negocio", "registro-portal-organizacion"})

# What the "Where do I start?" check asks about each step, by step code ("yes", "in_progress", "no").
ANSWER_FOR_STEP = {
    "ruc": "has_ruc",
    "licencia": "has_licence",
    "estatuto": "has_statute",
    "asamblea-fundacion": "has_statute",
    "constitucion-empresa": "has_sunarp",
    "inscripcion-sunarp": "has_sunarp",
}
MIGRATION_DOCUMENT_STEP = "documento-migratorio"


class PathState:
    """Where a step stands for one person: done, under way, the next thing to do, or waiting on
    something (what it waits on is the step's `reasons`)."""

    DONE = "done"
    IN_PROGRESS = "in_progress"
    AVAILABLE = "available"
    BLOCKED = "blocked"

    LABELS = {
        DONE: gettext_lazy("Done"),
        IN_PROGRESS: gettext_lazy("In progress"),
        AVAILABLE: gettext_lazy("You can do it now"),
        BLOCKED: gettext_lazy("Not yet"),
    }
    TONES = {DONE: "ok", IN_PROGRESS: "warn", AVAILABLE: "next", BLOCKED: "muted"}


@dataclass(frozen=True)
class Situation:
    """What a person has: the identity document they hold and its expiry, and their answers about
    each step (`ANSWER_FOR_STEP`). `today` decides what has expired."""

    document: str = DocumentKind.NONE
    document_expires_on: date | None = None
    answers: dict = field(default_factory=dict)
    today: date = field(default_factory=timezone.localdate)

    @property
    def document_expired(self) -> bool:
        return self.document_expires_on is not None and self.document_expires_on < self.today

    def holds_valid(self, documents) -> bool:
        """Whether the person holds one of `documents`, not expired (an empty list asks for none)."""
        if not documents:
            return True
        return self.document in documents and not self.document_expired


@dataclass
class PathStep:
    """One step of a person's path, as shown: its state, since when and with what evidence it is
    done, and the reasons it waits (each a sentence saying what unblocks it)."""

    step: FormalizationStep
    state: str
    reasons: list = field(default_factory=list)
    done_on: date | datetime | None = None
    evidence: str = ""
    evidence_document: object = None
    valid_until: date | None = None
    verified: bool = False
    expired_on: date | None = None
    row: OrganizationStep | None = None

    @property
    def done(self) -> bool:
        return self.state == PathState.DONE

    is_done = done

    @property
    def status(self) -> str:
        """The state in the terms of StepStatus, for `progress` and the wizard's review."""
        if self.state == PathState.DONE:
            return StepStatus.VERIFIED if self.verified else StepStatus.DONE
        if self.state == PathState.IN_PROGRESS:
            return StepStatus.IN_PROGRESS
        return StepStatus.NOT_STARTED

    @property
    def status_label(self):
        if self.verified and self.done:
            return StepStatus.VERIFIED.label
        return PathState.LABELS[self.state]

    @property
    def tone(self) -> str:
        return PathState.TONES[self.state]


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


def _documents_phrase(documents) -> str:
    labels = [str(DocumentKind(code).label) for code in documents if code in DocumentKind.values]
    if len(labels) < 2:
        return "".join(labels)
    return _("%(first)s or %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def _document_reason(step: FormalizationStep, situation: Situation) -> str:
    """Why the person's document keeps them from `step`, or "" when it does not."""
    if situation.holds_valid(step.accepted_documents):
        return ""
    if situation.document in step.accepted_documents and situation.document_expired:
        return _expired_reason(situation)
    return _("Needs a %(documents)s first.") % {"documents": _documents_phrase(step.accepted_documents)}


def _expired_reason(situation: Situation) -> str:
    return _("Your %(document)s expired on %(date)s: renew it first.") % {
        "document": DocumentKind(situation.document).label,
        "date": date_format(situation.document_expires_on, "DATE_FORMAT"),
    }


def _documents_the_path_asks_for(steps) -> set[str]:
    return {code for step in steps for code in step.accepted_documents}


def _migration_document_state(step, steps, situation: Situation) -> PathStep:
    """The migration document is done when the person holds, valid, a document the later steps
    accept; a refugee applicant's card is a document of its own, under way while the request is
    decided (Ley 27891, art. 14: it lets them stay and work provisionally)."""
    wanted = _documents_the_path_asks_for(steps) or {DocumentKind.DNI, DocumentKind.CE, DocumentKind.CPP}
    held = situation.document
    if held in wanted and not situation.document_expired:
        return PathStep(
            step,
            PathState.DONE,
            evidence=str(DocumentKind(held).label),
            valid_until=situation.document_expires_on,
        )
    if held in wanted:
        return PathStep(
            step,
            PathState.AVAILABLE,
            reasons=[_expired_reason(situation)],
            expired_on=situation.document_expires_on,
        )
    if held == DocumentKind.REFUGEE and not situation.document_expired:
        return PathStep(
            step,
            PathState.IN_PROGRESS,
            reasons=[
                _(
                    "Your refugee applicant card lets you stay and work while your request is decided; "
                    "keep it valid with the Special Commission for Refugees (CEPR)."
                )
            ],
            evidence=str(DocumentKind(held).label),
            valid_until=situation.document_expires_on,
        )
    return PathStep(step, PathState.AVAILABLE)


def build_path(steps, situation: Situation, rows=None, portal=None) -> list[PathStep]:
    """The person's path through `steps` (one municipality's set, in order): each step done, under
    way, available or blocked, with what blocks it. What is done comes from `rows` (an
    organization's OrganizationStep records, by step code) or else from the situation's answers;
    `portal` is the portal registration's (state, date, evidence) when an application exists.

    A step is blocked by the person's document (the step's `accepted_documents`) and by each of
    its prerequisites that is not done; a prerequisite that is not in `steps` does not apply to
    this person (another legal form) and is left out."""
    rows = rows or {}
    by_code: dict[str, PathStep] = {}
    path = []
    for step in steps:
        if step.code == MIGRATION_DOCUMENT_STEP:
            item = _migration_document_state(step, steps, situation)
        else:
            item = _claimed_state(step, situation, rows.get(step.code))
        if step.code in PORTAL_REGISTRATION_CODES and portal is not None:
            state, when, evidence = portal
            if state != PathState.AVAILABLE:
                item = PathStep(step, state, done_on=when, evidence=evidence)
        if item.state == PathState.AVAILABLE:
            reasons = [_document_reason(step, situation)] if step.code != MIGRATION_DOCUMENT_STEP else []
            reasons += [
                _("Needs “%(step)s” first.") % {"step": by_code[code].step.label}
                for code in step.prerequisites
                if code in by_code and not by_code[code].done
            ]
            reasons = [reason for reason in reasons if reason]
            if reasons:
                item.state, item.reasons = PathState.BLOCKED, reasons + item.reasons
        by_code[step.code] = item
        path.append(item)
    return path


def _claimed_state(step, situation: Situation, row: OrganizationStep | None) -> PathStep:
    """A step as the applicant's record (or the check's answer) has it; a done step whose
    certificate expired is to do again."""
    if row is not None:
        done = row.status in {StepStatus.DONE, StepStatus.VERIFIED}
        expired = done and row.valid_until is not None and row.valid_until < situation.today
        if done and not expired:
            return PathStep(
                step,
                PathState.DONE,
                done_on=row.verified_at if row.status == StepStatus.VERIFIED else row.updated_at,
                evidence=row.evidence_number,
                evidence_document=row.evidence_document,
                valid_until=row.valid_until,
                verified=row.status == StepStatus.VERIFIED,
                row=row,
            )
        if expired:
            return PathStep(
                step,
                PathState.AVAILABLE,
                reasons=[
                    _("What this step gave you expired on %(date)s: renew it.")
                    % {"date": date_format(row.valid_until, "DATE_FORMAT")}
                ],
                expired_on=row.valid_until,
                row=row,
            )
        if row.status == StepStatus.IN_PROGRESS:
            return PathStep(step, PathState.IN_PROGRESS, evidence=row.evidence_number, row=row)
        return PathStep(step, PathState.AVAILABLE, row=row)
    answer = situation.answers.get(ANSWER_FOR_STEP.get(step.code, ""), "")
    if answer == "yes":
        return PathStep(step, PathState.DONE)
    if answer == "in_progress":
        return PathStep(step, PathState.IN_PROGRESS)
    return PathStep(step, PathState.AVAILABLE)


def situation_from_answers(answers: dict, today: date | None = None) -> Situation:
    return Situation(
        document=answers.get("migration_document") or DocumentKind.NONE,
        document_expires_on=answers.get("document_expires_on") or None,
        answers=answers,
        **({"today": today} if today else {}),
    )


def status_from_answers(code: str, answers: dict) -> str:
    """Pre-fill a new application's step from the check's answers (yes / in progress / no)."""
    if code == MIGRATION_DOCUMENT_STEP:
        document = answers.get("migration_document")
        if document in {DocumentKind.CPP, DocumentKind.CE, DocumentKind.DNI}:
            return StepStatus.DONE
        if document in {DocumentKind.REFUGEE, DocumentKind.PTP}:
            return StepStatus.IN_PROGRESS
        return StepStatus.NOT_STARTED
    return {"yes": StepStatus.DONE, "in_progress": StepStatus.IN_PROGRESS}.get(
        answers.get(ANSWER_FOR_STEP.get(code, "")), StepStatus.NOT_STARTED
    )


def personal_path(
    kind: str,
    legal_form: str,
    answers: dict | None = None,
    municipality: Municipality | None = None,
    today: date | None = None,
) -> list[PathStep]:
    """The "Where do I start?" path: the steps of the municipality for this kind and legal form,
    from the answers (the document held and its expiry, what the person already has)."""
    situation = situation_from_answers(answers or {}, today)
    return build_path(steps_for(municipality, kind, legal_form), situation)


def next_steps(path) -> list[PathStep]:
    """The steps to do now, in order: those under way, and those nothing blocks."""
    return [item for item in path if item.state in {PathState.IN_PROGRESS, PathState.AVAILABLE}]


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
    """The portal registration step as the application stands: under way from the first saved
    draft until staff decide, done once approved, since the approval (a suspension does not undo
    the registration); after a rejection it is to do again."""
    status = organization.status
    if status in {ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED}:
        return StepStatus.DONE, organization.registered_at or organization.decided_at
    if status in {
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.OBSERVED,
    }:
        return StepStatus.IN_PROGRESS, None
    return StepStatus.NOT_STARTED, None


def _portal_state(organization: Organization):
    """The portal registration step as (state, since, evidence) for `build_path`: done with the
    registry number once approved, under way once sent; a draft's is worked out like any step."""
    status, since = portal_registration_state(organization)
    if status == StepStatus.DONE:
        return PathState.DONE, since, organization.registry_number or ""
    if status == StepStatus.IN_PROGRESS:
        return PathState.IN_PROGRESS, None, ""
    return PathState.AVAILABLE, None, ""


def representative_situation(organization: Organization, today: date | None = None) -> Situation:
    """The situation of the person who answers for the organization: its representative (or its
    first person), with the document they hold and its expiry."""
    people = list(organization.people.all())
    person = next((p for p in people if p.role == PersonRole.REPRESENTATIVE), people[0] if people else None)
    return Situation(
        document=person.document_type if person else DocumentKind.NONE,
        document_expires_on=person.document_expires_on if person else None,
        **({"today": today} if today else {}),
    )


def organization_path(organization: Organization, today: date | None = None) -> list[PathStep]:
    """The organization's path: the steps of its municipality for its kind and legal form (a step
    added since it applied, such as participatory budgeting, included), each from the
    organization's own record of it, the representative's document deciding what that blocks, and
    the portal registration following the application (`portal_registration_state`). For showing:
    nothing is saved."""
    rows = list(
        organization.steps.select_related("step", "step__guide_page", "evidence_document").order_by(
            "step__sort_order"
        )
    )
    municipality = organization.municipality if organization.municipality_id else None
    steps = {step.code: step for step in steps_for(municipality, organization.kind, organization.legal_form)}
    by_code = {}
    for row in rows:
        by_code[row.step.code] = row
        steps.setdefault(row.step.code, row.step)  # kept for its recorded progress
    ordered = sorted(steps.values(), key=lambda step: (step.sort_order, step.code))
    return build_path(
        ordered,
        representative_situation(organization, today),
        rows=by_code,
        portal=_portal_state(organization),
    )


def applicant_steps(organization: Organization):
    """The steps the applicant reports on in the wizard: all but the portal registration, which
    the application itself moves."""
    return (
        organization.steps.exclude(step__code__in=PORTAL_REGISTRATION_CODES)
        .select_related("step", "step__guide_page")
        .order_by("step__sort_order")
    )


def progress(rows) -> int:
    """Percentage of required steps done or verified (optional steps do not hold anyone back); the
    portal registration counts once approved, and participatory budgeting is the last required
    step of an organization."""
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
                "accepted_documents",
                "prerequisites",
                "legal_basis",
                "source_urls",
            )
        }
        step, _created = FormalizationStep.objects.update_or_create(
            code=local["code"],
            municipality=municipality,
            defaults={**shared, "guide_page_id": _local_guide_id(municipality, national.guide_page), **local},
        )
        written.append(step)
    return written
