"""Several words, the same contract on every backend: the listings that have every word (name
and services first); when none has them all, those with any word that is not common, and the
answer says so; a typo in each word still finds the listing."""

import pytest

from registry.models import District, Sector
from search.query import DirectoryQuery, Match
from search.selectors import directory_search
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db


def search(backend, text):
    result = directory_search(query=DirectoryQuery(text=text, page_size=100), backend=backend)
    assert result.backend == backend
    return result


def names(result):
    return [hit.listing.name for hit in result.hits]


@pytest.fixture
def listings(db):
    gastronomia = Sector.objects.get(code="gastronomia")
    belleza = Sector.objects.get(code="belleza")
    textil = Sector.objects.get(code="textil")
    callao = District.objects.get(code="callao")
    common = "Atendemos con cariño; trabajamos con vecinos peruanos y migrantes."
    PublishedOrganizationFactory(
        name="Comida Venezolana Doña Carmen",
        sector=gastronomia,
        district=callao,
        short_description="Almuerzos caseros",
        description=f"Pabellón criollo y jugos. {common}",
        services=["almuerzos", "pabellón"],
    )
    PublishedOrganizationFactory(
        name="Sabores de Lara",
        sector=gastronomia,
        district=callao,
        short_description="Pastelitos y tequeños",
        description=f"Preparamos comida venezolana los fines de semana. {common}",
        services=["pastelitos"],
    )
    PublishedOrganizationFactory(
        name="Barbería El Catire",
        sector=belleza,
        district=callao,
        short_description="Cortes y barba",
        description=f"Cortes clásicos; hay comida cerca para esperar. {common}",
        services=["cortes", "barba"],
    )
    PublishedOrganizationFactory(
        name="Arepas Don Ramón",
        sector=gastronomia,
        district=callao,
        short_description="Desayunos",
        description=f"Arepas rellenas y cachapas. {common}",
        services=["arepas", "cachapas"],
    )
    for name in ("Costura Fina Mariángel", "Confecciones Maracay", "Arreglos Yelitza"):
        PublishedOrganizationFactory(
            name=name,
            sector=textil,
            district=callao,
            short_description="Ropa a medida",
            description=f"Uniformes y vestidos. {common}",
            services=["uniformes", "vestidos"],
        )


def test_every_word_first_name_match_ranked_first(search_backend, listings, index_now):
    index_now()
    result = search(search_backend, "comida venezolana")
    found = names(result)
    assert result.match == Match.ALL
    assert "Barbería El Catire" not in found
    # The staff's synonyms make "arepas" venezuelan food too.
    assert set(found) == {"Comida Venezolana Doña Carmen", "Sabores de Lara", "Arepas Don Ramón"}
    assert found.index("Comida Venezolana Doña Carmen") < found.index("Sabores de Lara")


@pytest.mark.parametrize("text", ["comida venezolna", "comda venezolna"])
def test_a_typo_in_every_word_still_finds_the_listings(search_backend, listings, index_now, text):
    index_now()
    result = search(search_backend, text)
    found = names(result)
    assert result.match == Match.ALL
    assert "Barbería El Catire" not in found
    # (The database backends also read the corrected words as the staff's synonym phrase, and
    # so find "Arepas Don Ramón" too; Elasticsearch's typo matching cannot use synonyms.)
    assert {"Comida Venezolana Doña Carmen", "Sabores de Lara"} <= set(found)
    assert set(found) <= {"Comida Venezolana Doña Carmen", "Sabores de Lara", "Arepas Don Ramón"}
    assert found.index("Comida Venezolana Doña Carmen") < found.index("Sabores de Lara")


def test_no_listing_with_every_word_falls_back_to_any_word(search_backend, listings, index_now):
    index_now()
    result = search(search_backend, "arepa barberia")
    assert result.match == Match.ANY
    found = set(names(result))
    # The staff's synonyms make venezuelan food an "arepa" too; no listing of sewing.
    assert {"Arepas Don Ramón", "Barbería El Catire"} <= found
    assert not found & {"Costura Fina Mariángel", "Confecciones Maracay", "Arreglos Yelitza"}
    assert set(names(search(search_backend, "cachapas barberia"))) == {
        "Arepas Don Ramón",
        "Barbería El Catire",
    }


def test_the_fallback_leaves_out_words_most_listings_have(search_backend, listings, index_now):
    # "vecinos" is in every listing: "uniformes" alone decides, not a list of the whole directory.
    index_now()
    result = search(search_backend, "vecinos uniformes cachapas")
    assert result.match == Match.ANY
    assert set(names(result)) == {
        "Arepas Don Ramón",
        "Costura Fina Mariángel",
        "Confecciones Maracay",
        "Arreglos Yelitza",
    }
    assert search(search_backend, "vecinos peruanos zapatos").total == 0


def test_a_single_word_matches_as_before(search_backend, listings, index_now):
    index_now()
    result = search(search_backend, "barberia")
    assert result.match == Match.ALL
    assert names(result) == ["Barbería El Catire"]
    assert search(search_backend, "zapatos").total == 0
