"""The Spanish catalogue: complete, placeholders intact, compiled, and in use on the key pages.

The .po file is read with a small parser of our own so that the test needs nothing beyond the
standard library (polib would be one more dependency for a dozen lines).
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from cms.models import DirectoryPage
from tests.factories import OrganizationFactory, PublishedOrganizationFactory, UserFactory

SPANISH_PO = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
SPANISH_MO = SPANISH_PO.with_suffix(".mo")

# python-format placeholders (named or not, %% included) and HTML tags must survive translation.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif%]|<[^>]+>")


def parse_po(path):
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (a list) and flags.

    Obsolete entries (#~) are skipped; the header (empty msgid) is returned like any entry."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, int):
                entry["msgstr"][field] += value
            else:
                entry[field] += value
        else:
            keyword, _, literal = line.partition(" ")
            value = ast.literal_eval(literal)
            plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if plural_form:
                field = int(plural_form.group(1))
                entry["msgstr"][field] = value
            elif keyword == "msgstr":
                field = 0
                entry["msgstr"][0] = value
            else:
                field = keyword
                entry[field] = value
    finish()
    return entries


@pytest.fixture(scope="module")
def catalogue():
    entries = parse_po(SPANISH_PO)
    header = next(e for e in entries if e["msgid"] == "" and "msgctxt" not in e)
    nplurals = int(re.search(r"nplurals=(\d+)", header["msgstr"][0]).group(1))
    return {"header": header, "entries": [e for e in entries if e is not header], "nplurals": nplurals}


def label(entry):
    return repr(entry["msgid"][:70])


def test_catalogue_has_entries_and_a_usable_header(catalogue):
    assert len(catalogue["entries"]) > 500
    assert "fuzzy" not in catalogue["header"]["flags"]
    assert "charset=UTF-8" in catalogue["header"]["msgstr"][0]
    assert "Language: es" in catalogue["header"]["msgstr"][0]


def test_no_untranslated_or_fuzzy_entry(catalogue):
    fuzzy = [label(e) for e in catalogue["entries"] if "fuzzy" in e["flags"]]
    untranslated = []
    for entry in catalogue["entries"]:
        forms = catalogue["nplurals"] if "msgid_plural" in entry else 1
        if any(not entry["msgstr"].get(i) for i in range(forms)):
            untranslated.append(label(entry))
    assert fuzzy == []
    assert untranslated == []


def test_every_placeholder_and_tag_survives(catalogue):
    broken = []
    for entry in catalogue["entries"]:
        source = entry.get("msgid_plural", entry["msgid"])
        expected = sorted(PLACEHOLDER.findall(source))
        for form, text in entry["msgstr"].items():
            if sorted(PLACEHOLDER.findall(text)) != expected:
                broken.append((label(entry), form, text))
    assert broken == []


def test_compiled_catalogue_is_up_to_date(catalogue):
    """A .po edited without compilemessages leaves the site in English."""
    with SPANISH_MO.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for entry in catalogue["entries"]:
        if "msgctxt" in entry:
            continue
        if "msgid_plural" in entry:
            got = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 1_000_000, 2)]
            if got != [entry["msgstr"][i] for i in range(catalogue["nplurals"])]:
                stale.append(label(entry))
        elif compiled.gettext(entry["msgid"]) != entry["msgstr"][0]:
            stale.append(label(entry))
    assert stale == []


TRANSLATION_CALLS = {"gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "_"}


def test_no_translated_string_hides_inside_an_f_string():
    """makemessages (xgettext) does not look inside f-strings: a gettext call there is never
    extracted, and the next `make messages` drops its translation from the catalogue."""
    hidden = []
    for app in ("config", "registry", "search", "cms"):
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.JoinedStr):
                    for call in ast.walk(node):
                        if isinstance(call, ast.Call) and getattr(call.func, "id", None) in TRANSLATION_CALLS:
                            hidden.append(f"{path.relative_to(settings.BASE_DIR)}:{call.lineno}")
    assert hidden == []


def test_django_serves_the_spanish_strings():
    with translation.override("es"):
        assert translation.gettext("Save and continue") == "Guardar y continuar"
        assert translation.gettext("Skip to main content") == "Saltar al contenido principal"
        assert (
            translation.ngettext("%(counter)s listing found", "%(counter)s listings found", 3)
            % {"counter": 3}
            == "3 resultados encontrados"
        )
    with translation.override("en"):
        assert translation.gettext("Save and continue") == "Save and continue"


@pytest.mark.django_db
def test_key_pages_speak_spanish(client, demo_site, settings):
    settings.ELASTICSEARCH_URL = ""
    from search import indexing

    listing = PublishedOrganizationFactory(name="Arepera Zuliana")
    indexing.rebuild()
    directory = DirectoryPage.objects.live().first()
    applicant = UserFactory(username="maria")
    OrganizationFactory(name="Costura Caracas", owner=applicant)

    def page(url):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200, url
        return response.content.decode()

    assert "Saltar al contenido principal" in page("/")
    assert "¿Por dónde empiezo?" in page("/empezar/")
    assert "Iniciar sesión" in page("/accounts/login/")
    assert "1 resultado encontrado" in page(directory.url)
    assert f"El registro {listing.registry_number} es válido." in page(f"/verify/{listing.registry_number}/")

    client.force_login(applicant)
    wizard = page("/mis-registros/nuevo/")
    assert "Guardar y continuar" in wizard
    assert "Paso 1 de 6" in wizard
    assert "Save and continue" not in wizard
    assert "Costura Caracas" in page("/mis-registros/") and "Borrador" in page("/mis-registros/")

    english = client.get("/mis-registros/nuevo/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Save and continue" in english and "Guardar y continuar" not in english
