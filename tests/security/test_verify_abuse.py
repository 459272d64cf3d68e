"""/verify/ cannot be used to list withdrawn registrations by name, nor scraped number by number."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.registry import test_review_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def withdrawn(demo_site, django_capture_on_commit_callbacks):
    from registry.services import review

    applicant = support.UserFactory(username="maria")
    reviewer = support.staff_member("Revisores", username="rosa")
    registrar = support.staff_member("Registradores", username="luis")
    organization = support.complete_application(applicant, name="Refugio Costura Andina")
    with django_capture_on_commit_callbacks(execute=True):
        review.submit_application(organization=organization, user=applicant)
        review.approve(organization=organization, user=reviewer)
        review.approve(organization=organization, user=registrar)
        review.unpublish(organization=organization, user=registrar, reason="Por la seguridad de su dueña")
    organization.refresh_from_db()
    return organization, registrar


def _verify(client, organization, **extra):
    return client.get(
        reverse("registry:verify", args=[organization.registry_number]), HTTP_ACCEPT_LANGUAGE="en", **extra
    )


def test_a_withdrawn_registration_shows_its_status_and_date_only(client, withdrawn):
    organization, _ = withdrawn
    html = _verify(client, organization).content.decode()
    assert 'data-verdict="withdrawn"' in html
    assert "Withdrawn since" in html
    assert "Refugio" not in html and "Costura" not in html
    assert 'id="history-heading"' not in html
    assert "seguridad" not in html


def test_staff_may_choose_to_keep_the_name_public(client, withdrawn, django_capture_on_commit_callbacks):
    from registry.services import review

    organization, registrar = withdrawn
    with django_capture_on_commit_callbacks(execute=True):
        review.reinstate(organization=organization, user=registrar, reason="Volvió")
        review.unpublish(organization=organization, user=registrar, reason="Cerró", details_public=True)
    html = _verify(client, organization).content.decode()
    assert 'data-verdict="withdrawn"' in html
    assert "Refugio Costura Andina" in html


def test_the_review_screen_offers_the_choice(client, withdrawn):
    organization, registrar = withdrawn
    client.force_login(registrar)
    from registry.services import review

    review.reinstate(organization=organization, user=registrar, reason="Volvió")
    page = client.get(
        f"/admin/registry/review/{organization.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'name="details_public"' in page
    response = client.post(
        f"/admin/registry/review/{organization.pk}/unpublish/", {"reason": "Seguridad", "details_public": ""}
    )
    assert response.status_code == 302
    assert "Refugio" not in _verify(client, organization).content.decode()


@pytest.mark.parametrize("name", ["registry:verify", "registry:certificate"])
def test_verify_and_certificate_are_rate_limited_per_client(client, settings, withdrawn, name):
    organization, _ = withdrawn
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    url = reverse(name, args=[organization.registry_number])
    statuses = [client.get(url, REMOTE_ADDR="198.51.100.20").status_code for _ in range(31)]
    assert statuses[0] in {200, 302}
    assert statuses[-1] == 429
    assert client.get(url, REMOTE_ADDR="198.51.100.21").status_code in {200, 302}
    cache.clear()
