import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
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
