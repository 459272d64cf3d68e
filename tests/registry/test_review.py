"""Service-level tests of the staff review: every transition, every forbidden one, with the
resulting states, e-mails (Django's test mailbox) and history entries."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext
from wagtail.models import ModelLogEntry, WorkflowState

from registry.models import (
    ApplicationStatus,
    FormalizationStep,
    ListingReport,
    Observation,
    Organization,
    OrganizationMembership,
    OrganizationStep,
    RegistryCounter,
    StepStatus,
)
from registry.models.formalization import EvidenceKind
from registry.services import review
from registry.timeline import timeline_for

from . import test_review_support as support

# The shared fixtures, under their names (pytest finds fixtures in the test module's namespace).
applicant, application, reviewer, registrar = (
    support.applicant,
    support.application,
    support.reviewer,
    support.registrar,
)


def spanish(msgid, organization):
    """A subject as the applicant reads it: e-mails go out in the language of their consent."""
    with translation.override("es"):
        return gettext(msgid) % {"name": organization.name}


pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^RMO-\d{4}-\d{6}$")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """E-mails leave after the decision commits; run those callbacks as a commit would."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


def decisions(organization):
    """The timeline without the notices' delivery entries."""
    return [entry for entry in timeline_for(organization) if entry.notification is None]


def actions(organization):
    return list(
        ModelLogEntry.objects.for_instance(organization)
        .filter(action__startswith="registry.")
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )


def sent_to(address):
    return [m for m in mail.outbox if address in m.to]


def submitted(application, applicant, run_on_commit):
    run_on_commit(review.submit_application, organization=application, user=applicant)
    application.refresh_from_db()
    return application


def test_submit_starts_the_workflow_and_tells_applicant_and_reviewers(
    application, applicant, reviewer, run_on_commit
):
    state = run_on_commit(review.submit_application, organization=application, user=applicant)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at is not None
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.specific.stage == "document_check"
    assert application.latest_revision_id is not None
    assert not application.live
    assert actions(application) == [review.SUBMIT]
    assert sent_to("maria@example.org")[0].subject == spanish(
        "We received your application: %(name)s", application
    )
    assert sent_to("reviewer@example.org")[0].subject == spanish(
        "New application to review: %(name)s", application
    )


def test_an_incomplete_application_is_refused_with_its_problems(applicant, run_on_commit):
    from tests.factories import OrganizationFactory

    organization = OrganizationFactory(owner=applicant)
    with pytest.raises(ValidationError) as refused:
        run_on_commit(review.submit_application, organization=organization, user=applicant)
    assert any("representative" in message for message in refused.value.messages)
    organization.refresh_from_db()
    assert organization.status == ApplicationStatus.DRAFT
    assert not WorkflowState.objects.exists()
    assert mail.outbox == []


def test_only_members_submit(application, reviewer):
    with pytest.raises(review.ReviewNotAllowed):
        review.submit_application(organization=application, user=reviewer)


def test_submitting_twice_is_a_conflict(application, applicant, run_on_commit):
    submitted(application, applicant, run_on_commit)
    with pytest.raises(review.ReviewConflict):
        review.submit_application(organization=application, user=applicant)


def test_reviewer_then_registrar_approve_publish_and_number(
    application, applicant, reviewer, registrar, run_on_commit
):
    submitted(application, applicant, run_on_commit)
    mail.outbox.clear()

    run_on_commit(review.approve, organization=application, user=reviewer, comment="Documentos conformes")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert not application.live and not application.registry_number
    assert sent_to("registrar@example.org")[0].subject == spanish(
        "Ready for the registrar: %(name)s", application
    )

    run_on_commit(review.approve, organization=application, user=registrar)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.live and not application.has_unpublished_changes
    assert NUMBER.match(application.registry_number)
    assert application.registered_at is not None and application.decided_at is not None
    assert Organization.objects.published().filter(pk=application.pk).exists()
    assert application.current_workflow_state is None
    assert actions(application) == [review.SUBMIT, review.CHECK_PASSED, review.APPROVE]
    approved = sent_to("maria@example.org")[-1]
    assert application.registry_number in approved.subject
    assert f"/verify/{application.registry_number}/" in approved.body
    history = set(ModelLogEntry.objects.for_instance(application).values_list("action", flat=True))
    assert {"wagtail.workflow.start", "wagtail.workflow.approve", "wagtail.publish"} <= history


def test_each_task_is_for_its_own_group(application, applicant, reviewer, registrar, run_on_commit):
    submitted(application, applicant, run_on_commit)
    with pytest.raises(review.ReviewNotAllowed):
        review.approve(organization=application, user=registrar)
    review.approve(organization=application, user=reviewer)
    with pytest.raises(review.ReviewNotAllowed):
        review.approve(organization=application, user=reviewer)
    with pytest.raises(review.ReviewNotAllowed):
        review.observe(organization=application, user=reviewer, reasons=["otro"], message="x")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW


def test_staff_cannot_decide_on_their_own_organization(application, applicant, reviewer, run_on_commit):
    submitted(application, applicant, run_on_commit)
    OrganizationMembership.objects.create(organization=application, user=reviewer)
    with pytest.raises(review.ReviewNotAllowed):
        review.approve(organization=application, user=reviewer)
    reviewer.is_superuser = True
    reviewer.save()
    with pytest.raises(review.ReviewNotAllowed):
        review.approve(organization=application, user=reviewer)
    assert actions(application) == [review.SUBMIT]


def test_applicants_cannot_decide(application, applicant, run_on_commit):
    submitted(application, applicant, run_on_commit)
    with pytest.raises(review.ReviewNotAllowed):
        review.approve(organization=application, user=applicant)


def test_observe_then_answer_resumes_the_same_task(application, applicant, reviewer, run_on_commit):
    submitted(application, applicant, run_on_commit)
    mail.outbox.clear()
    deadline = timezone.localdate() + timedelta(days=10)

    observation = run_on_commit(
        review.observe,
        organization=application,
        user=reviewer,
        reasons=["documento-ilegible", "direccion"],
        message="La foto del CPP no se lee.",
        deadline=deadline,
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.OBSERVED
    assert set(observation.reasons.values_list("code", flat=True)) == {"documento-ilegible", "direccion"}
    assert application.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    email = sent_to("maria@example.org")[0]
    # The applicant gave consent in Spanish: the e-mail speaks Spanish, reasons included.
    assert "Documento ilegible o incompleto" in email.body
    assert "La foto del CPP no se lee." in email.body

    entry = decisions(application)[-1]
    assert entry.who == "Municipal staff"
    assert entry.what == "The staff sent observations"
    assert entry.why == "La foto del CPP no se lee."
    assert entry.deadline == deadline
    assert "Address or district to be clarified" in entry.details

    with pytest.raises(review.ReviewConflict):
        review.approve(organization=application, user=reviewer)
    with pytest.raises(ValidationError):
        review.answer_observation(organization=application, user=applicant, response="  ")

    mail.outbox.clear()
    run_on_commit(
        review.answer_observation, organization=application, user=applicant, response="Subí una foto nítida."
    )
    application.refresh_from_db()
    observation.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert observation.response == "Subí una foto nítida." and observation.answered_at
    task_state = application.current_workflow_task_state
    assert task_state.status == "in_progress" and task_state.task.specific.stage == "document_check"
    assert sent_to("reviewer@example.org")[0].subject == spanish(
        "Observations answered: %(name)s", application
    )
    assert actions(application) == [review.SUBMIT, review.OBSERVE, review.RESUBMIT]
    assert decisions(application)[-1].who == applicant.get_username()


def test_an_observation_needs_reasons_text_and_a_future_deadline(
    application, applicant, reviewer, run_on_commit
):
    submitted(application, applicant, run_on_commit)
    for kwargs in (
        {"reasons": [], "message": "Falta algo"},
        {"reasons": ["otro"], "message": ""},
        {"reasons": ["no-existe"], "message": "Falta algo"},
        {"reasons": ["otro"], "message": "Falta algo", "deadline": timezone.localdate()},
    ):
        with pytest.raises(ValidationError):
            review.observe(organization=application, user=reviewer, **kwargs)
    assert not Observation.objects.exists()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_answering_without_an_observation_is_a_conflict(application, applicant, run_on_commit):
    submitted(application, applicant, run_on_commit)
    with pytest.raises(review.ReviewConflict):
        review.answer_observation(organization=application, user=applicant, response="Listo")


def test_reject_is_final_and_told(application, applicant, reviewer, registrar, run_on_commit):
    submitted(application, applicant, run_on_commit)
    with pytest.raises(review.ReviewNotAllowed):
        review.reject(organization=application, user=reviewer, reason="No")
    with pytest.raises(ValidationError):
        review.reject(organization=application, user=registrar, reason="")
    mail.outbox.clear()

    run_on_commit(review.reject, organization=application, user=registrar, reason="Actividad no permitida.")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_reason == "Actividad no permitida."
    assert application.current_workflow_state is None
    assert not application.registry_number
    email = sent_to("maria@example.org")[0]
    assert email.subject == spanish("Your application was not approved: %(name)s", application)
    assert "Actividad no permitida." in email.body
    assert decisions(application)[-1].why == "Actividad no permitida."

    with pytest.raises(review.ReviewConflict):
        review.reject(organization=application, user=registrar, reason="Otra vez")
    with pytest.raises(review.ReviewConflict):
        review.approve(organization=application, user=registrar)
    with pytest.raises(review.ReviewConflict):
        review.submit_application(organization=application, user=applicant)


def test_a_decision_on_a_stale_task_is_refused(application, applicant, reviewer, registrar, run_on_commit):
    submitted(application, applicant, run_on_commit)
    seen = application.current_workflow_task_state.pk
    review.approve(organization=application, user=reviewer, task_state_id=seen)
    registrar.groups.add(*reviewer.groups.all())
    # The registrar's screen still shows the document check: approving it again must not
    # silently approve the registrar's own step instead.
    with pytest.raises(review.ReviewConflict, match="already decided"):
        review.approve(organization=application, user=registrar, task_state_id=seen)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW and not application.registry_number


def test_a_lock_held_by_someone_else_stops_the_decision(
    application, applicant, reviewer, demo_site, run_on_commit
):
    submitted(application, applicant, run_on_commit)
    colleague = support.staff_member("Revisores", username="colleague")
    Organization.objects.filter(pk=application.pk).update(
        locked=True, locked_by=colleague, locked_at=timezone.now()
    )
    with pytest.raises(review.ReviewConflict, match="locked"):
        review.approve(organization=application, user=reviewer)
    review.approve(organization=application, user=colleague)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW


def approve_fully(application, applicant, reviewer, registrar, run_on_commit):
    submitted(application, applicant, run_on_commit)
    run_on_commit(review.approve, organization=application, user=reviewer)
    run_on_commit(review.approve, organization=application, user=registrar)
    application.refresh_from_db()
    return application


def test_changes_of_an_approved_listing_wait_for_approval_and_keep_the_number(
    application, applicant, reviewer, registrar, run_on_commit
):
    approved = approve_fully(application, applicant, reviewer, registrar, run_on_commit)
    number, counter = approved.registry_number, RegistryCounter.objects.get().last_number

    # The wizard saves the edits as a revision only, then submits.
    proposal = approved.get_latest_revision_as_object()
    proposal.name = "Arepera Maracaibo Express"
    proposal.save_revision(user=applicant)
    run_on_commit(review.submit_application, organization=approved, user=applicant)
    approved.refresh_from_db()
    assert approved.name != "Arepera Maracaibo Express"
    assert approved.status == ApplicationStatus.APPROVED and approved.workflow_in_progress

    run_on_commit(review.approve, organization=approved, user=reviewer)
    run_on_commit(review.approve, organization=approved, user=registrar)
    approved.refresh_from_db()
    assert approved.name == "Arepera Maracaibo Express"
    assert approved.registry_number == number
    assert approved.status == ApplicationStatus.APPROVED and approved.live
    assert RegistryCounter.objects.get().last_number == counter
    assert actions(approved)[-1] == review.APPROVE_CHANGES


def test_rejected_changes_leave_the_registration_as_it_was(
    application, applicant, reviewer, registrar, run_on_commit
):
    approved = approve_fully(application, applicant, reviewer, registrar, run_on_commit)
    proposal = approved.get_latest_revision_as_object()
    proposal.name = "Otro nombre"
    proposal.save_revision(user=applicant)
    run_on_commit(review.submit_application, organization=approved, user=applicant)
    run_on_commit(review.reject, organization=approved, user=registrar, reason="Nombre engañoso")
    approved.refresh_from_db()
    assert approved.status == ApplicationStatus.APPROVED and approved.live
    assert approved.name != "Otro nombre"
    assert actions(approved)[-1] == review.REJECT_CHANGES


def test_verify_step_needs_its_evidence(application, applicant, reviewer, run_on_commit):
    step = FormalizationStep.objects.filter(evidence=EvidenceKind.NUMBER).first()
    record = OrganizationStep.objects.create(organization=application, step=step, status=StepStatus.DONE)
    with pytest.raises(ValidationError):
        review.verify_step(organization=application, user=reviewer, step=record)
    with pytest.raises(review.ReviewNotAllowed):
        review.verify_step(organization=application, user=applicant, step=record)
    record.evidence_number = "10456789012"
    record.save()
    review.verify_step(organization=application, user=reviewer, step=record)
    record.refresh_from_db()
    assert record.status == StepStatus.VERIFIED and record.verified_by == reviewer
    assert step.code in application.badges()
    assert actions(application) == [review.VERIFY_STEP]
    with pytest.raises(review.ReviewConflict):
        review.verify_step(organization=application, user=reviewer, step=record)


def test_suspend_unpublish_and_reinstate_with_reasons(
    application, applicant, reviewer, registrar, run_on_commit
):
    approved = approve_fully(application, applicant, reviewer, registrar, run_on_commit)
    report = ListingReport.objects.create(organization=approved, reason="fraud", message="No existe")
    with pytest.raises(review.ReviewNotAllowed):
        review.suspend(organization=approved, user=reviewer, reason="Queja")
    with pytest.raises(ValidationError):
        review.suspend(organization=approved, user=registrar, reason="")
    mail.outbox.clear()

    run_on_commit(
        review.suspend, organization=approved, user=registrar, reason="Denuncia de fraude", report=report
    )
    approved.refresh_from_db()
    report.refresh_from_db()
    assert approved.status == ApplicationStatus.SUSPENDED
    assert not Organization.objects.published().filter(pk=approved.pk).exists()
    assert report.resolved_by == registrar
    assert sent_to("maria@example.org")[0].subject == spanish(
        "Your registration is suspended: %(name)s", approved
    )
    with pytest.raises(review.ReviewConflict):
        review.suspend(organization=approved, user=registrar, reason="Otra vez")

    run_on_commit(review.reinstate, organization=approved, user=registrar, reason="Se comprobó")
    approved.refresh_from_db()
    assert approved.status == ApplicationStatus.APPROVED and approved.is_published

    run_on_commit(review.unpublish, organization=approved, user=registrar, reason="Cerró el local")
    approved.refresh_from_db()
    assert not approved.live and approved.status == ApplicationStatus.APPROVED
    with pytest.raises(review.ReviewConflict):
        review.unpublish(organization=approved, user=registrar, reason="Otra vez")
    run_on_commit(review.reinstate, organization=approved, user=registrar, reason="Reabrió")
    approved.refresh_from_db()
    assert approved.is_published
    assert actions(approved)[-4:] == [review.SUSPEND, review.REINSTATE, review.UNPUBLISH, review.REINSTATE]
    assert [e.why for e in decisions(approved)[-4:]] == [
        "Denuncia de fraude",
        "Se comprobó",
        "Cerró el local",
        "Reabrió",
    ]


class BrokenMailServer:
    """An e-mail backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


def test_a_mail_failure_never_loses_the_decision(
    application, applicant, reviewer, registrar, run_on_commit, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailServer"
    approved = approve_fully(application, applicant, reviewer, registrar, run_on_commit)
    assert approved.status == ApplicationStatus.APPROVED and NUMBER.match(approved.registry_number)


def test_emails_are_in_the_applicants_language(application, applicant, reviewer, run_on_commit):
    submitted(application, applicant, run_on_commit)
    application.consents.update(language="en")
    run_on_commit(review.observe, organization=application, user=reviewer, reasons=["otro"], message="Falta")
    email = sent_to("maria@example.org")[-1]
    assert "needs corrections" in email.subject
    assert "Other reason" in email.body and "Otro motivo" not in email.body


def test_wagtail_workflow_actions_go_through_the_services(application, applicant, reviewer, run_on_commit):
    submitted(application, applicant, run_on_commit)
    task_state = application.current_workflow_task_state
    task = task_state.task.specific
    assert [name for name, _label, _modal in task.get_actions(application, reviewer)] == [
        "observe",
        "approve",
        "approve",
    ]
    task.on_action(task_state, reviewer, "observe", reasons=["otro"], message="Falta", deadline="2099-01-01")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.OBSERVED
    assert actions(application)[-1] == review.OBSERVE
