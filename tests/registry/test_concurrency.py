"""Two members of staff acting at once: one wins, the other is told; numbers are never shared.

Real concurrency needs real row locks, so these run on PostgreSQL (CI's PostgreSQL pass), with
threads that each hold their own database connection. SQLite serializes every writer at BEGIN
(IMMEDIATE mode), so there is no race to test there.
"""

import threading

import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

from registry.models import ApplicationStatus, Organization
from registry.services import review

from . import test_review_support as support

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT … FOR UPDATE) can only race on PostgreSQL; set DATABASE_URL to run",
    ),
]


def at_registrar_step(applicant, reviewer, count):
    applications = []
    for index in range(count):
        organization = support.complete_application(applicant, name=f"Colectivo Simultáneo {index}")
        review.submit_application(organization=organization, user=applicant)
        review.approve(organization=organization, user=reviewer)
        applications.append(organization)
    return applications


def race(calls):
    """Run the calls at the same moment in threads; return (results, errors) in call order."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # collected for the assertions
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_two_registrars_approving_the_same_application_one_wins(demo_site):
    applicant = support.UserFactory(username="applicant")
    reviewer = support.staff_member("Revisores", username="reviewer")
    first = support.staff_member("Registradores", username="registrar-1")
    second = support.staff_member("Registradores", username="registrar-2")
    (application,) = at_registrar_step(applicant, reviewer, 1)
    seen = application.current_workflow_task_state.pk

    results, errors = race(
        [
            lambda user=user: review.approve(organization=application, user=user, task_state_id=seen)
            for user in (first, second)
        ]
    )

    assert sum(result is not None for result in results) == 1
    conflicts = [error for error in errors if error is not None]
    assert len(conflicts) == 1 and isinstance(conflicts[0], review.ReviewConflict)
    with translation.override("es"):  # the threads run in the site's default language
        expected = {
            gettext(
                "Someone else already decided on this application. Reload the page to see its current state."
            ),
            gettext(
                "This application is not waiting for a review: it was already decided or sent back to the applicant."
            ),
        }
    assert str(conflicts[0]) in expected
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.registry_number


def test_approve_and_observe_at_once_cannot_both_happen(demo_site):
    applicant = support.UserFactory(username="applicant")
    reviewer = support.staff_member("Revisores", username="reviewer")
    registrar = support.staff_member("Registradores", username="registrar")
    colleague = support.staff_member("Registradores", username="colleague")
    (application,) = at_registrar_step(applicant, reviewer, 1)
    seen = application.current_workflow_task_state.pk

    results, errors = race(
        [
            lambda: review.approve(organization=application, user=registrar, task_state_id=seen),
            lambda: review.observe(
                organization=application,
                user=colleague,
                reasons=["otro"],
                message="Falta",
                task_state_id=seen,
            ),
        ]
    )
    assert sum(result is not None for result in results) == 1
    assert sum(isinstance(error, review.ReviewConflict) for error in errors) == 1
    application.refresh_from_db()
    assert application.status in {ApplicationStatus.APPROVED, ApplicationStatus.OBSERVED}
    assert bool(application.registry_number) == (application.status == ApplicationStatus.APPROVED)


def test_concurrent_approvals_never_share_or_skip_a_number(demo_site):
    applicant = support.UserFactory(username="applicant")
    reviewer = support.staff_member("Revisores", username="reviewer")
    registrars = [support.staff_member("Registradores", username=f"registrar-{i}") for i in range(6)]
    applications = at_registrar_step(applicant, reviewer, 6)

    _results, errors = race(
        [
            lambda organization=organization, user=user: review.approve(organization=organization, user=user)
            for organization, user in zip(applications, registrars, strict=True)
        ]
    )

    assert errors == [None] * 6
    numbers = sorted(
        Organization.objects.filter(pk__in=[a.pk for a in applications]).values_list(
            "registry_number", flat=True
        )
    )
    assert len(set(numbers)) == 6
    sequence = [int(number.rsplit("-", 1)[1]) for number in numbers]
    assert sequence == list(range(sequence[0], sequence[0] + 6))
