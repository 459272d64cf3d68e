"""The staff's admin in Spanish: the login form, the home page's summary and panels, the review
screen's languages and hours, and only the portal's staff groups."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.translation import gettext

from registry.permissions import GROUP_PERMISSIONS, REVIEWERS
from registry.services import review
from tests.factories import UserFactory

from . import test_review_support as support

reviewer = support.reviewer

pytestmark = pytest.mark.django_db


def test_the_admin_login_asks_for_the_e_mail_and_password_in_spanish(client):
    html = client.get(reverse("wagtailadmin_login")).content.decode()
    assert "Correo electrónico" in html and "Contraseña" in html
    assert "Nombre de usuario" not in html and ">Password" not in html


def test_a_failed_admin_login_says_so_in_spanish(client):
    UserFactory(username="rosa", email="rosa@example.org")
    response = client.post(reverse("wagtailadmin_login"), {"username": "rosa@example.org", "password": "x"})
    assert "El correo electrónico y la contraseña no coinciden" in response.content.decode()


def test_the_admin_home_summary_and_panels_are_in_spanish(client, demo_site, django_user_model):
    admin = django_user_model.objects.create_superuser("jefa", "jefa@example.org", "una-clave-segura-123")
    client.force_login(admin)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "páginas" in html and " Pages" not in html
    # Wagtail's own string, worded by the portal's catalogue (LOCALE_PATHS come first).
    assert gettext("Privacy and access") == "Privacidad y acceso"
    assert gettext("Filter by") == "Filtrar por"  # cms/admin_messages.py


def test_the_review_screen_names_languages_and_days(client, reviewer, django_capture_on_commit_callbacks):
    applicant = UserFactory(username="ana", email="ana@example.org")
    organization = support.complete_application(
        applicant,
        languages=["es", "qu"],
        opening_hours={"tue": [["10:00", "14:00"]], "mon": [["09:00", "18:00"]]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        review.submit_application(organization=organization, user=applicant)
    client.force_login(reviewer)
    html = client.get(reverse("registry_review:detail", args=[organization.pk])).content.decode()
    assert "Español, Quechua" in html
    assert "lun: 09:00\u201318:00; mar: 10:00\u201314:00" in html


def test_staff_see_only_the_portal_s_groups(demo_site):
    assert set(Group.objects.values_list("name", flat=True)) == set(GROUP_PERMISSIONS)
    assert Group.objects.get(name=REVIEWERS).permissions.filter(codename="review_organization").exists()
