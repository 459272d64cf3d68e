"""Observation deadlines: one reminder to the applicant before, one notice to the staff after."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from registry.models import ApplicationStatus
from registry.services import review
from registry.services.deadlines import remind_observation_deadlines

from . import test_review_support as support

applicant, application, reviewer = support.applicant, support.application, support.reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def observed(application, applicant, reviewer, django_capture_on_commit_callbacks):
    """An application the reviewer observed with a deadline in 10 days (e-mails sent and cleared)."""
    with django_capture_on_commit_callbacks(execute=True):
        review.submit_application(organization=application, user=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        observation = review.observe(
            organization=application,
            user=reviewer,
            reasons=["documento-ilegible"],
            message="La foto del CPP no se lee.",
            deadline=timezone.localdate() + timedelta(days=10),
        )
    mail.outbox.clear()
    return observation


def run(today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return remind_observation_deadlines(today=today)


def test_the_applicant_is_reminded_once_in_their_language(observed, django_capture_on_commit_callbacks):
    deadline = observed.deadline
    assert run(deadline - timedelta(days=4), django_capture_on_commit_callbacks) == {
        "reminded": 0,
        "overdue": 0,
    }
    assert run(deadline - timedelta(days=3), django_capture_on_commit_callbacks) == {
        "reminded": 1,
        "overdue": 0,
    }
    assert run(deadline - timedelta(days=2), django_capture_on_commit_callbacks) == {
        "reminded": 0,
        "overdue": 0,
    }

    (email,) = mail.outbox
    assert email.to == ["maria@example.org"]
    with translation.override("es"):  # the applicant gave consent in Spanish
        subject = gettext("Reminder: answer the observations on %(name)s") % {
            "name": observed.organization.name
        }
    assert email.subject == subject
    assert "La foto del CPP no se lee." in email.body and "/mis-registros/" in email.body


def test_staff_of_the_observing_task_are_told_once_when_the_deadline_passes(
    observed, reviewer, django_capture_on_commit_callbacks
):
    deadline = observed.deadline
    assert run(deadline, django_capture_on_commit_callbacks)["overdue"] == 0  # the last day still counts
    assert run(deadline + timedelta(days=1), django_capture_on_commit_callbacks)["overdue"] == 1
    assert run(deadline + timedelta(days=5), django_capture_on_commit_callbacks)["overdue"] == 0

    staff = [m for m in mail.outbox if reviewer.email in m.to]
    assert len(staff) == 1 and "/admin/registry/review/" in staff[0].body
    # Nothing is decided for them: the application still waits for the applicant.
    observed.organization.refresh_from_db()
    assert observed.organization.status == ApplicationStatus.OBSERVED


def test_answered_observations_get_neither(observed, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review.answer_observation(
            organization=observed.organization, user=applicant, response="Subí otra foto."
        )
    mail.outbox.clear()
    assert run(observed.deadline - timedelta(days=1), django_capture_on_commit_callbacks) == {
        "reminded": 0,
        "overdue": 0,
    }
    assert run(observed.deadline + timedelta(days=1), django_capture_on_commit_callbacks) == {
        "reminded": 0,
        "overdue": 0,
    }
    assert not mail.outbox


def test_the_daily_command_reports_what_it_sent(observed):
    from io import StringIO

    out = StringIO()
    call_command("remind_observations", stdout=out)
    assert "Reminders sent: 0; deadlines passed, staff told: 0." in out.getvalue()
