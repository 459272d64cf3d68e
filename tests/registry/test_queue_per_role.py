"""The admin home's "Open the queue of applications": what waits for the person's role, and the
"Awaiting your review" panel saying where each application really is."""

import pytest
from django.urls import reverse

from registry.services import review

from . import test_review_support as support

applicant, reviewer, registrar = support.applicant, support.reviewer, support.registrar

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(applicant, reviewer, django_capture_on_commit_callbacks):
    """One application at the document check, one at the registrar's approval."""
    at_check = support.complete_application(applicant, name="Barbería Los Llanos")
    at_registrar = support.complete_application(applicant, name="Costura Yelitza")
    with django_capture_on_commit_callbacks(execute=True):
        review.submit_application(organization=at_check, user=applicant)
        review.submit_application(organization=at_registrar, user=applicant)
        review.approve(organization=at_registrar, user=reviewer, comment="Documentos conformes.")
    return at_check, at_registrar


def my_queue(client, user):
    client.force_login(user)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    link = reverse("wagtailsnippets_registry_organization:list") + "?awaiting=me"
    assert f'href="{link}"' in home
    return client.get(link).content.decode()


def test_a_reviewer_s_queue_lists_what_awaits_the_document_check(client, queue, reviewer):
    at_check, at_registrar = queue
    html = my_queue(client, reviewer)
    assert at_check.name in html
    assert at_registrar.name not in html


def test_a_registrar_s_queue_lists_what_awaits_the_registrar(client, queue, registrar):
    at_check, at_registrar = queue
    html = my_queue(client, registrar)
    assert at_registrar.name in html
    assert at_check.name not in html


def test_a_superuser_s_queue_lists_every_pending_application(client, queue, django_user_model):
    admin = django_user_model.objects.create_superuser("jefa", "jefa@example.org", "una-clave-segura-123")
    html = my_queue(client, admin)
    assert all(organization.name in html for organization in queue)


def test_the_awaiting_panel_shows_the_application_s_state_and_task(client, queue, registrar):
    _at_check, at_registrar = queue
    client.force_login(registrar)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    panel = html[html.index('id="awaiting-review') :]
    row = panel[panel.index(at_registrar.name) :][:3000]
    assert 'data-status="in_review"' in row and "En revisión" in row
    assert "Ahora en: Aprobación del registrador" in row
    assert "Aprobado" not in row  # the document check's icon, read as the application's state
    applicant = at_registrar.memberships.get().user
    assert applicant.email in row and f">{applicant.username}<" not in row.replace(" ", "").replace("\n", "")


def test_the_decision_forms_say_the_applicant_reads_the_comment(client, queue, reviewer):
    at_check, _at_registrar = queue
    client.force_login(reviewer)
    html = client.get(reverse("registry_review:detail", args=[at_check.pk])).content.decode()
    assert html.count("La persona solicitante verá este comentario.") >= 2  # approve and observe
