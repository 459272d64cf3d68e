"""The staff dashboard's figures and its panel on the Wagtail admin home."""

from datetime import timedelta

import pytest
from django.utils import timezone

from registry import dashboard
from registry.models import ApplicationStatus, District
from tests.factories import OrganizationFactory, PublishedOrganizationFactory

from . import test_review_support as support

reviewer = support.reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(demo_site):
    now = timezone.now()
    # Decisions taken 2, 4 and 10 days after submission: the median is 4.
    for days in (2, 4, 10):
        PublishedOrganizationFactory(
            submitted_at=now - timedelta(days=days), decided_at=now, registered_at=now
        )
    OrganizationFactory(status=ApplicationStatus.SUBMITTED, submitted_at=now)
    OrganizationFactory(status=ApplicationStatus.OBSERVED, submitted_at=now)
    PublishedOrganizationFactory(district=District.objects.get(code="comas"), live=False)


def test_figures(figures):
    by_status = {code: count for code, _label, count in dashboard.applications_by_status()}
    assert by_status["approved"] == 4 and by_status["submitted"] == 1 and by_status["observed"] == 1
    assert dashboard.median_days_to_decision() == 4.0
    assert sum(count for _month, count in dashboard.approvals_per_month()) == 3
    # Only listed organizations count in the directory figures: the unpublished one in Comas does not.
    assert dashboard.listings_by("district") == [("Carmen de la Legua Reynoso", 3)]
    assert dashboard.listings_by("sector")[0][1] == 3


def test_median_of_an_even_count_and_of_nothing(demo_site):
    assert dashboard.median_days_to_decision() is None
    now = timezone.now()
    for days in (1, 3):
        PublishedOrganizationFactory(submitted_at=now - timedelta(days=days), decided_at=now)
    assert dashboard.median_days_to_decision() == 2.0


def test_panel_on_the_admin_home(client, figures, reviewer):
    client.force_login(reviewer)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Registry figures" in html
    assert 'data-figure="median-days">4.0<' in html
