"""The public figures page (/cifras/) and its CSV files, checked against counts taken row by row
from the database, and the small-count rule of registry.public."""

import csv
import io
from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from registry import public
from registry.models import (
    ApplicationStatus,
    District,
    FormalizationStep,
    Kind,
    Observation,
    Organization,
    OrganizationStep,
    Sector,
    StepStatus,
    home_municipality,
)
from search.figures import FIGURES, registry_figures_for
from tests.factories import OrganizationFactory, PersonFactory, PublishedOrganizationFactory

pytestmark = pytest.mark.django_db

DOCUMENT_NUMBER = "CPP00123456"  # tests.factories.PersonFactory's


# ----- the small-count rule ---------------------------------------------------------------


def test_counts_from_1_to_4_are_small_and_0_and_5_are_shown():
    assert public.withheld_counts([0, 1, 4, 5, 12], adds_up=False) == [None, "small", "small", None, None]


def test_a_single_hidden_count_of_a_figure_that_adds_up_hides_the_smallest_other_too():
    # 3 = total - 5 - 9: the 5 is withheld as well, so the 3 cannot be worked out.
    assert public.withheld_counts([3, 9, 5, 0], adds_up=True) == ["small", None, "withheld", None]
    # Two hidden counts already: their sum is known, neither count is.
    assert public.withheld_counts([3, 2, 9], adds_up=True) == ["small", "small", None]
    assert public.withheld_counts([3, 9], adds_up=False) == ["small", None]


def test_a_count_whose_part_is_hidden_in_its_own_registry_is_withheld():
    assert public.withheld_counts([7, 8], adds_up=False, parts_hidden=[True, False]) == ["withheld", None]


# ----- a world of two municipalities -------------------------------------------------------

JANUARY = timezone.make_aware(datetime(2026, 1, 15, 12))
MARCH = timezone.make_aware(datetime(2026, 3, 10, 12))


def _published(count, **fields):
    return [PublishedOrganizationFactory(**fields) for _ in range(count)]


@pytest.fixture
def world(demo_site, carmen):
    lima = home_municipality()
    carmen.open_data_licence = "ODbL-1.0"
    carmen.save()
    ate, brena, barranco, carmen_district = (
        District.objects.get(code=code) for code in ("ate", "brena", "barranco", "carmen-de-la-legua-reynoso")
    )
    food = Sector.objects.get(code="gastronomia")
    other_sector = Sector.objects.exclude(pk=food.pk).order_by("pk").first()
    listings = [
        *_published(6, municipality=lima, district=ate, languages=["es", "en"], registered_at=JANUARY),
        *_published(5, municipality=lima, district=brena, languages=["es"], registered_at=MARCH),
        *_published(
            2,
            municipality=lima,
            district=barranco,
            sector=other_sector,
            kind=Kind.ORGANIZATION,
            legal_form="association",
            registered_at=MARCH,
        ),
        *_published(
            5, municipality=carmen, district=carmen_district, languages=["es", "qu"], registered_at=MARCH
        ),
        *_published(1, municipality=carmen, district=ate, registered_at=JANUARY),
    ]
    # Applications: 6 rejected in Lima (decided after 2 to 12 days), one observed, one in review,
    # one draft never submitted (not received); the published ones were approved after 4 days.
    now = timezone.now()
    for listing in listings:
        Organization.objects.filter(pk=listing.pk).update(
            submitted_at=now - timedelta(days=20), decided_at=now - timedelta(days=16)
        )
    for days in (2, 4, 6, 8, 10, 12):
        OrganizationFactory(
            municipality=lima,
            status=ApplicationStatus.REJECTED,
            submitted_at=now - timedelta(days=30),
            decided_at=now - timedelta(days=30 - days),
        )
    observed = OrganizationFactory(municipality=lima, status=ApplicationStatus.OBSERVED, submitted_at=now)
    Observation.objects.create(organization=observed, message="Falta el RUC.")
    OrganizationFactory(municipality=lima, status=ApplicationStatus.IN_REVIEW, submitted_at=now)
    OrganizationFactory(municipality=carmen)
    for listing in listings + [observed]:
        PersonFactory(organization=listing)
    # Formalization: the first business step done by 7 listings (2 verified), the second by 3.
    first, second = FormalizationStep.objects.filter(kind=Kind.BUSINESS, municipality=None).order_by(
        "sort_order"
    )[:2]
    for position, listing in enumerate(listings[:7]):
        OrganizationStep.objects.create(
            organization=listing, step=first, status=StepStatus.VERIFIED if position < 2 else StepStatus.DONE
        )
    for listing in listings[:3]:
        OrganizationStep.objects.create(organization=listing, step=second, status=StepStatus.DONE)
    OrganizationStep.objects.create(organization=listings[8], step=second, status=StepStatus.IN_PROGRESS)
    return {"lima": lima, "carmen": carmen, "steps": (first, second)}


def _expected(municipality=None):
    """Every figure counted in Python, row by row, from the database."""
    rows = list(Organization.objects.select_related("district", "sector"))
    if municipality is not None:
        rows = [row for row in rows if row.municipality_id == municipality.pk]
    published = [row for row in rows if row.live and row.status == ApplicationStatus.APPROVED]
    observed_ids = set(Observation.objects.values_list("organization_id", flat=True))
    published_ids = {row.pk for row in published}
    reached, verified = Counter(), Counter()
    for step in OrganizationStep.objects.all():
        if step.organization_id in published_ids and step.status in (StepStatus.DONE, StepStatus.VERIFIED):
            reached[step.step_id] += 1
            verified[step.step_id] += step.status == StepStatus.VERIFIED
    return {
        "total": len(published),
        "district": Counter(row.district_id for row in published),
        "sector": Counter(row.sector_id for row in published),
        "kind": Counter(row.kind for row in published),
        "language": Counter(code for row in published for code in set(row.languages)),
        "month": Counter(row.registered_at.date().replace(day=1) for row in published),
        "funnel": reached,
        "verified": verified,
        "applications": {
            "received": sum(1 for row in rows if row.submitted_at),
            "observed": sum(1 for row in rows if row.pk in observed_ids),
            "approved": sum(1 for row in rows if row.status == ApplicationStatus.APPROVED),
            "rejected": sum(1 for row in rows if row.status == ApplicationStatus.REJECTED),
        },
    }


def _agrees(cell, expected):
    """A shown count is the true one; a hidden one is hidden for the rule's reason."""
    if cell.shown is None:
        return cell.count == expected
    if cell.shown == public.SMALL:
        return cell.count is None and 1 <= expected <= 4
    return cell.count is None and cell.shown == public.WITHHELD


@pytest.mark.parametrize("which", ["all", "lima", "carmen"])
def test_every_figure_agrees_with_the_rows_of_the_database(world, which):
    municipality = None if which == "all" else world[which]
    data = registry_figures_for(municipality)
    expected = _expected(municipality)
    assert _agrees(data.total, expected["total"])
    for name in FIGURES:
        figure = data.figures[name]
        truth = expected[name]
        assert figure.cells, name
        for cell in figure.cells:
            assert _agrees(cell, truth.get(cell.key, 0)), (name, cell)
            if name == "funnel":
                assert _agrees(cell.verified, expected["verified"].get(cell.key, 0)), cell
        if name not in ("funnel", "applications", "kind"):
            # Every counted value has its row, and nothing else.
            assert {cell.key for cell in figure.cells} == set(truth), name
        if figure.adds_up:
            # No single hidden count that the total would give away.
            assert sum(1 for cell in figure.cells if cell.shown) != 1, name


def test_the_figures_count_what_they_should(world):
    lima = registry_figures_for(world["lima"])
    by_district = {cell.label: cell for cell in lima.figures["district"].cells}
    assert by_district["Ate"].count == 6
    assert by_district["Barranco"].shown == public.SMALL
    # Breña's 5 is the smallest count shown beside Barranco's hidden 2: withheld too.
    assert by_district["Breña"].shown == public.WITHHELD
    assert lima.total.count == 13
    applications = {cell.key: cell for cell in lima.figures["applications"].cells}
    assert applications["received"].count == 21
    assert applications["observed"].shown == public.SMALL
    assert applications["approved"].count == 13
    assert applications["rejected"].count == 6
    assert lima.decisions.count == 19
    # 13 decisions after 4 days and 6 after 2 to 12: the middle one of 19 is 4 days.
    assert lima.median_days == 4.0
    first, second = world["steps"]
    funnel = {cell.key: cell for cell in registry_figures_for(None).figures["funnel"].cells}
    assert funnel[first.pk].count == 7
    assert funnel[first.pk].verified.shown == public.SMALL
    assert funnel[second.pk].shown == public.SMALL


def test_a_count_in_all_municipalities_whose_small_part_shows_elsewhere_is_withheld(world):
    everyone = {cell.label: cell for cell in registry_figures_for(None).figures["district"].cells}
    # Ate: 6 in Lima (shown there) and 1 in Carmen: 7 would give Carmen's 1 away.
    assert everyone["Ate"].shown == public.WITHHELD
    carmen = {cell.label: cell for cell in registry_figures_for(world["carmen"]).figures["district"].cells}
    assert carmen["Ate"].shown == public.SMALL


def test_the_median_is_not_shown_over_fewer_than_5_decisions(world):
    carmen = registry_figures_for(world["carmen"])
    Organization.objects.filter(municipality=world["carmen"]).exclude(
        pk__in=Organization.objects.filter(municipality=world["carmen"]).order_by("pk")[:3]
    ).update(decided_at=None)
    assert carmen.median_days is not None  # 6 decisions
    from django.core.cache import cache

    cache.clear()
    fewer = registry_figures_for(world["carmen"])
    assert fewer.decisions.shown == public.SMALL
    assert fewer.median_days is None


# ----- the page and the CSV ---------------------------------------------------------------


def test_the_page_holds_the_charts_and_tables_in_its_html(client, world):
    response = client.get("/cifras/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') == len(FIGURES)
    for name in FIGURES:
        assert f'aria-labelledby="cifra-{name}-title cifra-{name}-desc"' in html
        assert f'<title id="cifra-{name}-title">' in html
        assert f'<desc id="cifra-{name}-desc">' in html
        assert f'href="/cifras/{name}.csv?municipality=all"' in html
    assert html.count('<table class="figure-table">') == len(FIGURES)
    assert "menos de 5" in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    assert 'rel="license"' in html and "CC-BY-4.0" in html
    assert response["Link"] == '<https://spdx.org/licenses/CC-BY-4.0.html>; rel="license"'


def test_the_municipality_selector_is_made_of_plain_links(client, world):
    html = client.get("/cifras/?municipality=070103").content.decode()
    assert '<a href="?municipality=070103" aria-current="true">' in html
    assert '<a href="?municipality=all">' in html
    assert "ODbL-1.0" in html
    assert client.get("/cifras/?municipality=999999").status_code == 404


def test_the_page_speaks_english_under_en(client, world):
    response = client.get("/en/cifras/")
    assert response.status_code == 200
    assert "Figures of the registry" in response.content.decode()
    assert "fewer than 5" in response.content.decode()


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_each_figure_downloads_as_csv_with_the_licence(client, world):
    for name in FIGURES:
        response = client.get(f"/cifras/{name}.csv", {"municipality": "all"})
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Link"] == '<https://spdx.org/licenses/CC-BY-4.0.html>; rel="license"'
        assert _csv(response)[0][:3] == ["key", "label", "count"]
    carmen = client.get("/cifras/district.csv", {"municipality": "070103"})
    assert carmen["Link"] == '<https://spdx.org/licenses/ODbL-1.0.html>; rel="license"'
    rows = {row[1]: row[2] for row in _csv(carmen)[1:]}
    assert rows == {"Carmen de la Legua Reynoso": "reservado", "Ate": "menos de 5"}
    lima = {
        row[1]: row[2] for row in _csv(client.get("/cifras/district.csv", {"municipality": "150100"}))[1:]
    }
    assert lima == {"Ate": "6", "Breña": "reservado", "Barranco": "menos de 5"}
    assert client.get("/cifras/nothing.csv").status_code == 404


def test_zero_is_written_as_a_number(client, world):
    Organization.objects.filter(kind=Kind.ORGANIZATION).update(kind=Kind.BUSINESS)
    rows = {row[0]: row[2] for row in _csv(client.get("/cifras/kind.csv", {"municipality": "150100"}))[1:]}
    assert rows == {"business": "13", "organization": "0"}


def test_no_private_value_appears(client, world):
    outputs = [client.get(url).content.decode() for url in ("/cifras/", "/cifras/?municipality=070103")]
    outputs += [client.get(f"/cifras/{name}.csv").content.decode() for name in FIGURES]
    for text in outputs:
        assert DOCUMENT_NUMBER not in text
        assert "María José" not in text
        assert "maria.perez@example.org" not in text
        assert "Falta el RUC" not in text


def test_a_publication_shows_at_once(client, world, django_capture_on_commit_callbacks):
    before = {
        row[1]: row[2] for row in _csv(client.get("/cifras/district.csv", {"municipality": "150100"}))[1:]
    }
    assert before["Ate"] == "6"
    with django_capture_on_commit_callbacks(execute=True):
        PublishedOrganizationFactory(
            municipality=world["lima"], district=District.objects.get(code="ate"), registered_at=MARCH
        )
    rows = {
        row[1]: row[2] for row in _csv(client.get("/cifras/district.csv", {"municipality": "150100"}))[1:]
    }
    assert rows["Ate"] == "7"
