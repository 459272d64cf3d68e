"""What the HTML checker and Lighthouse look at on every page, checked without a browser.

`make audit` runs the real tools (Nu Html Checker, axe-core, Lighthouse) over a served demo;
these fast checks keep the fixes it led to: a favicon and robots.txt at the root, a meta
description on every page, `noindex` on the applicant's own pages, `tel:` links without spaces,
`datetime` values the HTML standard accepts, and no live region on a heading.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.models import DirectoryPage, EventIndexPage, EventPage, GuideIndexPage, GuidePage, StandardPage
from registry.views.wizard import STEP_CODES
from tests.factories import OrganizationFactory, PublishedOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

# A valid HTML date, or a global date and time with at most three digits of a second.
VALID_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2}))?$")


@pytest.fixture
def pages(client, demo_site, settings):
    """Every page an audit looks at: (name, html, meant to be noindex)."""
    settings.ELASTICSEARCH_URL = ""
    from search import indexing

    office = demo_site.get_site().pk
    from cms.models import OfficeSettings

    OfficeSettings.objects.filter(site_id=office).update(phone="01 000 0000")
    listing = PublishedOrganizationFactory(
        registered_at=timezone.now().replace(microsecond=123456), latitude=-12.04, longitude=-77.11
    )
    indexing.rebuild()
    event = EventPage.objects.live().first()
    event.start = timezone.now().replace(microsecond=654321) + timedelta(days=3)
    event.save_revision().publish()
    applicant = UserFactory(username="aplicante")
    draft = OrganizationFactory(owner=applicant)
    directory = DirectoryPage.objects.live().first().url
    public = {
        "home": "/",
        "directory": directory,
        "directory search": directory + "?q=arepas&sector=gastronomia",
        "listing": f"{directory}{listing.slug}/",
        "start": reverse("registry:start"),
        "start answered": reverse("registry:start")
        + "?kind=business&legal_form=informal&migration_document=cpp&has_ruc=no",
        "verify lookup": reverse("registry:verify_lookup"),
        "guides": GuideIndexPage.objects.live().first().url,
        "guide": GuidePage.objects.live().first().url,
        "events": EventIndexPage.objects.live().first().url,
        "event": EventPage.objects.live().first().url,
        "standard page": StandardPage.objects.live().first().url,
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
    }
    private = {
        "verify": reverse("registry:verify", args=[listing.registry_number]),
        "certificate": reverse("registry:certificate", args=[listing.registry_number]),
        "error 404": "/esta-pagina-no-existe/",
    }
    applicant_pages = {
        "my registrations": reverse("registry:my_registrations"),
        "application": reverse("registry:application_detail", args=[draft.pk]),
        "my data": reverse("registry:my_data"),
    } | {f"wizard {step}": reverse("registry:wizard", args=[draft.pk, step]) for step in STEP_CODES}

    found = []
    for group, noindex in ((public, False), (private, True)):
        for name, url in group.items():
            response = client.get(url)
            assert response.status_code in (200, 404), (name, response.status_code)
            found.append((name, response.content.decode(), noindex))
    client.force_login(applicant)
    for name, url in applicant_pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        found.append((name, response.content.decode(), True))
    return found


def test_favicon_and_robots_are_served_at_the_root(client):
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200
    assert b"".join(favicon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    robots = client.get("/robots.txt")
    assert robots.status_code == 200
    assert b"User-agent: *" in b"".join(robots.streaming_content)


def test_every_page_has_a_description_an_icon_and_the_right_robots(pages):
    for name, html, noindex in pages:
        descriptions = re.findall(r'<meta name="description" content="([^"]*)"', html)
        assert len(descriptions) == 1 and descriptions[0].strip(), name
        assert re.search(r'<link rel="icon" href="[^"]+\.svg"', html), name
        assert ('<meta name="robots" content="noindex">' in html) is noindex, name


def test_no_markup_the_html_checker_refuses(pages):
    for name, html, _noindex in pages:
        for href in re.findall(r'href="(tel:[^"]*)"', html):
            assert " " not in href, (name, href)
        for value in re.findall(r'<time datetime="([^"]*)"', html):
            assert VALID_DATETIME.match(value), (name, value)
        assert not re.search(r'<h[1-6][^>]*role="status"', html), name
        # aria-label on a <div> needs a role that takes a name.
        for tag in re.findall(r"<div\b[^>]*>", html):
            if "aria-label=" in tag:
                assert re.search(r'role="(region|group|navigation|img|dialog|alert|status)"', tag), (
                    name,
                    tag,
                )
        # The password help text is a list: a <p> cannot hold it.
        assert not re.search(r"<p>(?:(?!</p>).)*<ul", html, re.S), name


def test_the_checked_pages_include_times_a_phone_and_a_map(pages):
    """The checks above look at what they are meant to: the pages have these things."""
    html = {name: text for name, text, _ in pages}
    assert re.search(r'href="tel:\+?\d+"', html["home"])
    assert "<time datetime=" in html["event"] and "<time datetime=" in html["verify"]
    assert 'id="directory-map"' in html["directory"]
    assert "<ul" in html["signup"]
