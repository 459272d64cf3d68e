import pytest
from django.utils import timezone
from wagtail.models import Page

from cms.models import (
    DirectoryPage,
    EventIndexPage,
    EventPage,
    GuideIndexPage,
    GuidePage,
    HomePage,
    StandardPage,
)
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db


def test_home_page_is_spanish_with_both_calls_to_action(client, demo_site):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Registra tu emprendimiento" in html
    assert "Buscar en el directorio" in html
    assert 'href="#main"' in html  # skip link
    assert "<main" in html and "<nav" in html and "<footer" in html


@pytest.mark.parametrize(
    "model", [HomePage, StandardPage, GuideIndexPage, GuidePage, EventIndexPage, EventPage, DirectoryPage]
)
def test_every_page_type_renders(client, demo_site, model):
    page = model.objects.live().first()
    assert page is not None, f"seed builds a {model.__name__}"
    response = client.get(page.url)
    assert response.status_code == 200
    assert page.title in response.content.decode()


def test_guide_steps_have_anchors_and_facts(client, demo_site):
    guide = GuidePage.objects.get(slug="formalizar-mi-negocio", locale__language_code="es")
    html = client.get(guide.url).content.decode()
    assert 'id="paso-ruc"' in html
    assert "SUNAT" in html
    assert "Documentos necesarios" in html


def test_featured_listing_on_home(client, demo_site):
    listing = PublishedOrganizationFactory(name="Peluquería Génesis")
    home = demo_site
    home.featured_listings.create(organization=listing)
    home.save_revision().publish()
    html = client.get("/").content.decode()
    assert "Peluquería Génesis" in html


def test_unpublished_featured_listing_is_hidden(client, demo_site):
    listing = PublishedOrganizationFactory(name="Bodega Oculta", live=False)
    home = demo_site
    home.featured_listings.create(organization=listing)
    home.save_revision().publish()
    assert "Bodega Oculta" not in client.get("/").content.decode()


def test_upcoming_events_exclude_past(demo_site):
    index = EventIndexPage.objects.get(locale__language_code="es")
    past = EventPage(
        title="Feria pasada",
        slug="pasada",
        start=timezone.now() - timezone.timedelta(days=30),
        place="Parque",
        description="<p>x</p>",
    )
    index.add_child(instance=past)
    upcoming = list(EventPage.objects.live().upcoming())
    assert past not in upcoming
    assert any(e.slug == "migraton-carmen-de-la-legua" for e in upcoming)


def test_main_menu_and_footer_come_from_settings(client, demo_site):
    html = client.get("/").content.decode()
    assert ">Directorio<" in html and ">Privacidad<" in html
    assert "Municipalidad Metropolitana de Lima" in html  # office settings in the footer


def test_admin_login_page(client, demo_site):
    response = client.get("/admin/login/")
    assert response.status_code == 200


def test_single_home_page_under_root(demo_site):
    """The demo's home replaces Wagtail's welcome page: one home per language under the root."""
    assert HomePage.objects.filter(locale__language_code="es").count() == 1
    assert sorted(Page.objects.filter(depth=2).values_list("locale__language_code", flat=True)) == [
        "en",
        "es",
    ]


def test_a_suspended_featured_listing_leaves_the_home_page(
    client, demo_site, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    from registry.services import review
    from tests.factories import UserFactory

    listing = PublishedOrganizationFactory(name="Mudanzas Oriente")
    home = demo_site
    home.featured_listings.create(organization=listing)
    home.save_revision().publish()
    assert "Mudanzas Oriente" in client.get("/").content.decode()

    registrar = UserFactory(username="registradora")
    registrar.groups.add(Group.objects.get(name="Registradores"))
    with django_capture_on_commit_callbacks(execute=True):
        review.suspend(organization=listing, user=registrar, reason="Reclamo verificado de un vecino.")

    assert "Mudanzas Oriente" not in client.get("/").content.decode()
