import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from wagtail.models import Page

from registry.demo_applications import DEMO_APPLICATIONS
from registry.models import Organization

APPLICATIONS = len(DEMO_APPLICATIONS)  # one application in each review state

pytestmark = pytest.mark.django_db


def counts():
    return (
        Page.objects.count(),
        Organization.objects.count(),
        get_user_model().objects.count(),
        Group.objects.count(),
        Organization.objects.values("registry_number").distinct().count(),
    )


def test_seed_demo_twice_does_not_duplicate(capsys):
    call_command("seed_demo", listings=40, seed=3)
    first_output = capsys.readouterr().out
    assert "password:" in first_output
    first = counts()
    assert first[1] == 40 + APPLICATIONS
    call_command("seed_demo", listings=40, seed=3)
    second_output = capsys.readouterr().out
    assert "password:" not in second_output  # printed once
    assert counts() == first


def test_seed_demo_ends_with_addresses_and_accounts_and_sends_no_mail(
    capsys, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:8765"
    # What the seeding's commits would run, the review decisions' e-mails among them.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", listings=5, seed=2)
    assert mail.outbox == []
    output = capsys.readouterr().out
    block = output[output.rindex("The demo portal is ready") :]
    assert output.rstrip().endswith("=" * 72)
    for path in ("/ ", "/directorio/", "/empezar/", "/admin/"):
        assert f"http://127.0.0.1:8765{path.strip()}" in block
    for email in (
        "admin@example.com",
        "revisora@example.com",
        "registrador@example.com",
        "editora@example.com",
    ):
        assert email in block
    assert "solicitante@example.com" in block
    password = re.search(r"revisora@example.com\s+password: (\S+)", block).group(1)
    reviewer = get_user_model().objects.get(email="revisora@example.com")
    assert reviewer.check_password(password)
    assert reviewer.groups.filter(name="Revisores").exists()

    call_command("seed_demo", listings=5, only_if_empty=True)
    again = capsys.readouterr().out
    assert "seed_demo skipped" in again
    assert again.rstrip().endswith("=" * 72)
    assert "revisora@example.com" in again[again.index("The demo portal is ready") :]
    assert "password:" not in again


def test_seed_demo_listings_are_realistic():
    call_command("seed_demo", listings=60, seed=5)
    listings = Organization.objects.published().filter(created_by__isnull=True)
    assert listings.count() == 60
    assert Organization.objects.count() == 60 + APPLICATIONS
    assert set(Organization.objects.values_list("status", flat=True)) >= {
        "draft",
        "submitted",
        "in_review",
        "observed",
        "approved",
        "rejected",
        "suspended",
    }
    assert listings.values("district").distinct().count() > 5
    assert listings.values("sector").distinct().count() > 5
    assert all(o.registry_number.startswith("RMO-") for o in listings)
    assert {"Revisores", "Registradores", "Editores"} <= set(Group.objects.values_list("name", flat=True))


def test_seed_demo_more_listings_adds_only_the_new_ones():
    call_command("seed_demo", listings=10, seed=1)
    call_command("seed_demo", listings=25, seed=1)
    assert Organization.objects.count() == 25 + APPLICATIONS
