"""One contract for every backend: the same questions must get the same kind of answers."""

import pytest

from registry.models import ApplicationStatus, District, Sector
from search.backends.database import haversine_km
from search.query import DirectoryQuery, Sort
from search.selectors import directory_search
from tests.factories import OrganizationFactory, PublishedOrganizationFactory

pytestmark = pytest.mark.django_db


def names(result):
    return [hit.listing.name for hit in result.hits]


def search(backend, **kwargs):
    result = directory_search(query=DirectoryQuery(**kwargs), backend=backend)
    assert result.backend == backend
    return result


@pytest.fixture
def listings(db):
    gastronomia = Sector.objects.get(code="gastronomia")
    belleza = Sector.objects.get(code="belleza")
    textil = Sector.objects.get(code="textil")
    comercio = Sector.objects.get(code="comercio")
    comas = District.objects.get(code="comas")
    carmen = District.objects.get(code="carmen-de-la-legua-reynoso")
    made = {
        "peluqueria": PublishedOrganizationFactory(
            name="Peluquería Génesis",
            sector=belleza,
            district=comas,
            short_description="Cortes y peinados",
            description="Cortes de cabello para toda la familia.",
            services=["cortes", "peinados"],
            languages=["es", "en"],
        ),
        "arepera": PublishedOrganizationFactory(
            name="Arepera El Zuliano",
            sector=gastronomia,
            district=carmen,
            short_description="Comida para llevar",
            description="Desayunos criollos y jugos naturales.",
            services=["desayunos", "jugos"],
        ),
        "costura": PublishedOrganizationFactory(
            name="Costura Fina Mariángel",
            sector=textil,
            district=comas,
            short_description="Ropa a medida",
            description="Uniformes escolares y vestidos.",
            services=["uniformes", "vestidos"],
        ),
        "minimarket": PublishedOrganizationFactory(
            name="Abasto La Guaira",
            sector=comercio,
            district=carmen,
            short_description="Productos del día",
            description="Un minimarket con harina PAN y productos venezolanos.",
            services=["harina", "recargas"],
        ),
        "tequenos_name": PublishedOrganizationFactory(
            name="Tequeños Caracas",
            sector=gastronomia,
            district=comas,
            short_description="Para fiestas",
            description="Pedidos por mayor para eventos.",
            services=["pedidos"],
        ),
        "tequenos_description": PublishedOrganizationFactory(
            name="Sabores de Lara",
            sector=gastronomia,
            district=carmen,
            short_description="Comida venezolana",
            description="Preparamos tequeños y pastelitos los fines de semana.",
            services=["pastelitos"],
        ),
    }
    return made


def test_accents_do_not_matter(search_backend, listings, index_now):
    index_now()
    assert "Peluquería Génesis" in names(search(search_backend, text="peluqueria"))
    assert "Peluquería Génesis" in names(search(search_backend, text="PELUQUERÍA"))


def test_a_typo_still_finds_the_listing(search_backend, listings, index_now):
    index_now()
    assert "Arepera El Zuliano" in names(search(search_backend, text="arepra"))


def test_plural_finds_singular(search_backend, listings, index_now):
    index_now()
    assert "Costura Fina Mariángel" in names(search(search_backend, text="costuras"))


def test_synonyms(search_backend, listings, index_now):
    index_now()
    assert "Abasto La Guaira" in names(search(search_backend, text="bodega"))


def test_a_name_match_ranks_above_a_description_match(search_backend, listings, index_now):
    index_now()
    found = names(search(search_backend, text="tequeños"))
    assert found.index("Tequeños Caracas") < found.index("Sabores de Lara")


def test_highlights_mark_the_matching_words(search_backend, listings, index_now):
    index_now()
    hit = next(
        h for h in search(search_backend, text="peluqueria").hits if h.listing.name == "Peluquería Génesis"
    )
    assert "<mark>Peluquería</mark>" in hit.highlights["name"]


def test_highlights_mark_the_word_a_typo_meant(search_backend, listings, index_now):
    index_now()
    hit = next(
        h for h in search(search_backend, text="peluqeria").hits if h.listing.name == "Peluquería Génesis"
    )
    assert "<mark>Peluquería</mark>" in hit.highlights["name"]


@pytest.mark.parametrize(
    "base",
    [
        {},
        {"text": "tequeños"},
        {"sector": ("gastronomia",)},
        {"district": ("comas",), "language": ("es",)},
        {"sector": ("gastronomia", "belleza"), "district": ("comas",)},
    ],
)
def test_facet_counts_equal_the_hits_they_lead_to(search_backend, listings, index_now, base):
    index_now()
    result = search(search_backend, **base)
    assert result.total == len(search(search_backend, page_size=100, **base).hits)
    for facet, values in result.facets.items():
        for value in values:
            narrowed = {**base, facet: (value.value,)}
            assert search(search_backend, **narrowed).total == value.count, (facet, value.value)


def test_distance_filter_and_sort(search_backend, index_now):
    # Points at known distances north of the origin along a meridian (1° ≈ 111.195 km).
    origin = (-12.05, -77.05)
    km = {"Cerca": 0.5, "Medio": 2.0, "Lejos": 4.9, "Fuera": 5.2}
    for name, distance in km.items():
        PublishedOrganizationFactory(
            name=name, latitude=f"{origin[0] + distance / 111.195:.6f}", longitude=f"{origin[1]:.6f}"
        )
    # A private address is placed at its district's capital, never at its own (home) point.
    carmen = District.objects.get(code="carmen-de-la-legua-reynoso")
    PublishedOrganizationFactory(
        name="Sin dirección pública",
        address_public=False,
        latitude="-12.05",
        longitude="-77.05",
        district=carmen,
    )
    km["Sin dirección pública"] = haversine_km(*origin, float(carmen.latitude), float(carmen.longitude))
    assert 4 < km["Sin dirección pública"] < 4.9
    index_now()
    result = search(search_backend, lat=origin[0], lon=origin[1], radius_km=5, sort=Sort.DISTANCE)
    assert names(result) == ["Cerca", "Medio", "Sin dirección pública", "Lejos"]
    for hit in result.hits:
        assert abs(hit.distance_km - km[hit.listing.name]) < 0.1
    private = result.hits[2]
    assert private.listing.location_approximate and not private.listing.has_location


def test_only_published_listings_appear(search_backend, index_now):
    PublishedOrganizationFactory(name="Panadería Publicada")
    OrganizationFactory(name="Panadería Borrador")
    PublishedOrganizationFactory(name="Panadería Suspendida", status=ApplicationStatus.SUSPENDED)
    PublishedOrganizationFactory(name="Panadería Retirada", live=False)
    index_now()
    assert names(search(search_backend, text="panaderia")) == ["Panadería Publicada"]
    assert search(search_backend).total == 1


def test_private_fields_never_appear(search_backend, index_now):
    from tests.factories import PersonFactory

    home = PublishedOrganizationFactory(
        name="Dulces Caseros Rosa",
        address="Jr. Secreto 123",
        address_public=False,
        latitude="-12.040000",
        longitude="-77.090000",
        ruc="10456789012",
        licence_number="LIC-9",
    )
    PersonFactory(organization=home, full_name="Rosa Privada", document_number="CPP99887766")
    index_now()
    hit = search(search_backend, text="dulces").hits[0]
    listing = hit.listing
    assert listing.address == ""
    assert listing.latitude is None and listing.longitude is None
    assert listing.ruc == ""
    dumped = repr(listing.__dict__) + repr(hit.highlights)
    for secret in ("Jr. Secreto", "10456789012", "Rosa Privada", "CPP99887766", "LIC-9", "-12.04"):
        assert secret not in dumped
