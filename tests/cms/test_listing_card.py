"""The directory's result card, written in Python (cms/templatetags/cms_cards.py): its markup in
each branch, its escaping, and the part kept per index version."""

from datetime import timedelta

import pytest
from django.template import Context
from django.test import RequestFactory
from django.utils import timezone, translation

from cms.templatetags.cms_cards import facet_value, listing_card
from cms.templatetags.cms_fragments import fragment_scope
from search.query import Hit, Listing

pytestmark = pytest.mark.django_db


def _listing(**changes) -> Listing:
    fields = {
        "organization_id": 7,
        "registry_number": "REM-2026-000007",
        "slug": "arepera-zuliana",
        "name": "Arepera Zuliana",
        "kind": "business",
        "legal_form": "",
        "sector": "food",
        "sector_name": "Alimentos",
        "sector_name_en": "Food",
        "district": "150110",
        "district_name": "Comas",
        "short_description": "Arepas y cachapas",
        "description": "",
        "services": [],
        "languages": ["es"],
        "badges": [],
        "address": "",
        "latitude": -12.04,
        "longitude": -77.09,
        "phone": "014567890",
        "whatsapp": "987654321",
        "email": "",
        "website": "",
        "facebook": "",
        "instagram": "",
        "tiktok": "",
        "opening_hours": {},
        "founded_year": None,
        "ruc": "",
        "logo": "",
        "registered_at": timezone.now(),
        "last_confirmed_at": None,
        "municipality": "150100",
        "municipality_name": "Lima Metropolitana",
    }
    listing = Listing(**{**fields, **changes})
    listing.badge_names = [f"Badge {code}" for code in listing.badges]
    return listing


def _card(hit, version=None, language="es"):
    request = RequestFactory().get("/directorio/")
    with translation.override(language):
        scope = fragment_scope(request, version) if version is not None else None
        return listing_card(Context({"request": request, "fragment_scope": scope}), hit, "/directorio/")


def test_a_card_with_highlights_and_a_distance():
    hit = Hit(
        listing=_listing(),
        distance_km=2.345,
        highlights={"name": "<mark>Arepera</mark> Zuliana", "services": "<mark>arepas</mark>"},
    )
    assert _card(hit) == (
        '\n<article class="card listing-card">\n'
        '  <h3><a href="/directorio/arepera-zuliana/"><mark>Arepera</mark> Zuliana</a></h3>\n'
        "  \n"
        "  \n"
        '  <p class="meta">Alimentos · Comas · 2,3 km</p>\n'
        "  \n"
        "  <p><mark>arepas</mark></p>\n"
        "  \n"
        "  \n"
        "  \n"
        "  \n"
        '  <p class="contact">\n'
        '    <a class="button whatsapp" href="https://wa.me/51987654321" rel="noopener">WhatsApp'
        '<span class="visually-hidden"> Arepera Zuliana</span></a>\n'
        '    <a class="button phone" href="tel:+5114567890">Llamar'
        '<span class="visually-hidden"> Arepera Zuliana</span></a>\n'
        "  </p>\n"
        "</article>\n"
    )


def test_an_approximate_place_never_shows_its_own_distance():
    listing = _listing(location_approximate=True)
    assert '<p class="meta">Alimentos · en Comas · a unos 3 km</p>' in _card(
        Hit(listing=listing, distance_km=2.6)
    )
    assert '<p class="meta">Alimentos · en Comas · a menos de 1 km</p>' in _card(
        Hit(listing=listing, distance_km=0.2)
    )
    assert '<p class="meta">Food · in Comas · about 3 km away</p>' in _card(
        Hit(listing=listing, distance_km=2.6), language="en"
    )


def test_unconfirmed_data_badges_and_no_phone():
    long_ago = timezone.now() - timedelta(days=900)
    listing = _listing(last_confirmed_at=long_ago, badges=["ruc"], phone="", whatsapp="", district_name="")
    card = _card(Hit(listing=listing))
    day = timezone.localdate(long_ago)
    assert (
        f'<p class="meta unconfirmed"><time datetime="{day:%Y-%m-%d}">Datos sin confirmar desde el ' in card
    )
    assert (
        '<ul class="badges" aria-label="Verificado por la municipalidad"><li class="badge">Badge ruc</li></ul>'
        in card
    )
    assert '<p class="meta">Alimentos</p>' in card
    assert "button" not in card


def test_what_a_listing_wrote_is_escaped():
    listing = _listing(name="Tía <b>Rosa</b> & hijos", short_description="<script>x</script>")
    card = _card(Hit(listing=listing))
    assert "Tía &lt;b&gt;Rosa&lt;/b&gt; &amp; hijos</a></h3>" in card
    assert "<p>&lt;script&gt;x&lt;/script&gt;</p>" in card
    assert "<script>" not in card


def test_the_contact_part_is_kept_per_index_version():
    _card(Hit(listing=_listing()), version=1)
    changed = _listing(phone="", whatsapp="")
    # The same version: the kept part (a change of the listing bumps the version).
    assert "tel:+5114567890" in _card(Hit(listing=changed), version=1)
    assert "tel:" not in _card(Hit(listing=changed), version=2)
    # Without a version (another view) nothing is kept.
    assert "tel:" not in _card(Hit(listing=changed))


def test_a_facet_option_and_a_chosen_one():
    option = {"label": "Comida & bebida", "count": 1234, "url": "?q=a&sector=food", "selected": False}
    assert facet_value(option) == (
        '<li>\n  <a href="?q=a&amp;sector=food">\n'
        '    <span class="box" aria-hidden="true">☐</span>\n'
        '    Comida &amp; bebida <span class="count">(1234)</span>\n'
        "    \n  </a>\n</li>\n"
    )
    with translation.override("es"):
        chosen = facet_value({**option, "selected": True})
    assert '<a href="?q=a&amp;sector=food" aria-current="true" class="selected">' in chosen
    assert '<span class="box" aria-hidden="true">☑</span>' in chosen
    assert '<span class="visually-hidden">(seleccionado; selecciónalo para quitarlo)</span>' in chosen
