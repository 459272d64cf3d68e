"""Both languages, complete: every interface string translated, every demo page in Spanish and in
English, and no Spanish interface text on the English pages.

The catalogue checks read the sources with Django's own makemessages (GNU gettext's xgettext
underneath, installed by `.ci/services.sh gettext`), so a string added to a template or to Python
without `make messages` fails here, not in front of a visitor.
"""

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from wagtail.models import Locale, Page, Site

from cms.models import AccessibilityPage, DirectoryPage, EventPage, GuidePage, HomePage, StandardPage
from tests.factories import PublishedOrganizationFactory
from tests.test_translations import parse_po

LOCALE = Path(settings.BASE_DIR) / "locale"
# What `make messages` leaves out, and the catalogues themselves.
IGNORED = [".venv", "node_modules", "var", "locale"]


def _entries(language):
    entries = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    return {(e.get("msgctxt"), e["msgid"]): e for e in entries if e["msgid"]}


@pytest.fixture(scope="module")
def source_msgids(tmp_path_factory):
    """The msgids in the project's templates and Python today, as `make messages` finds them.

    makemessages writes into the `locale` folder next to the files it reads, so it runs in a
    scratch folder of links to the project's folders and writes a scratch catalogue: the
    committed ones are never touched."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("xgettext is missing (CI must install it: bash .ci/services.sh gettext)")
        pytest.skip("xgettext (GNU gettext) is missing; install it with `bash .ci/services.sh gettext`")
    scratch = tmp_path_factory.mktemp("messages")
    sources = scratch / "src"
    sources.mkdir()
    for entry in Path(settings.BASE_DIR).iterdir():
        if entry.name not in IGNORED and not entry.name.startswith("."):
            (sources / entry.name).symlink_to(entry)
    cwd, locale_paths = os.getcwd(), settings.LOCALE_PATHS
    os.chdir(sources)
    settings.LOCALE_PATHS = [str(scratch / "locale")]
    try:
        call_command("makemessages", locale=["es"], symlinks=True, ignore_patterns=IGNORED, verbosity=0)
    finally:
        settings.LOCALE_PATHS = locale_paths
        os.chdir(cwd)
    entries = parse_po(scratch / "locale" / "es" / "LC_MESSAGES" / "django.po")
    return {(e.get("msgctxt"), e["msgid"]) for e in entries if e["msgid"]}


def test_every_source_string_has_a_spanish_translation(source_msgids):
    spanish = _entries("es")
    assert len(source_msgids) > 500
    missing = sorted(key[1][:70] for key in source_msgids if key not in spanish)
    assert missing == [], "run `make messages` and translate these"
    untranslated = sorted(
        key[1][:70]
        for key in source_msgids
        if "fuzzy" in spanish[key]["flags"] or not all(spanish[key]["msgstr"].values())
    )
    assert untranslated == []


def test_english_catalogue_matches_the_spanish_one(source_msgids):
    """English msgids are the English text: the English catalogue holds the same strings, none
    fuzzy (a fuzzy guess would show instead of the msgid) and none stale."""
    english = _entries("en")
    assert set(english) >= source_msgids
    assert set(english) == set(_entries("es"))
    assert sorted(key[1][:70] for key, e in english.items() if "fuzzy" in e["flags"]) == []


@pytest.mark.django_db
def test_seed_demo_pages_exist_in_both_languages():
    call_command("seed_demo", listings=2, seed=1, stdout=open(os.devnull, "w"))  # noqa: SIM115
    spanish, english = Locale.objects.get(language_code="es"), Locale.objects.get(language_code="en")
    pages = Page.objects.live().filter(depth__gt=1)
    assert pages.filter(locale=spanish).count() >= 9
    for locale, other in ((spanish, english), (english, spanish)):
        untranslated = [
            page.url_path
            for page in pages.filter(locale=locale)
            if not (translation := page.get_translation_or_none(other)) or not translation.live
        ]
        assert untranslated == [], f"{locale.language_code} pages without a live {other.language_code} one"
    for model in (HomePage, DirectoryPage, GuidePage, EventPage, StandardPage, AccessibilityPage):
        assert model.objects.live().filter(locale=english).exists(), model.__name__
        for page in model.objects.live().filter(locale=english):
            original = page.get_translation(spanish)
            assert page.title != original.title, f"{page.url_path} is still the Spanish copy"
            # Search engines and link previews read the description: it is translated too.
            if original.search_description:
                assert page.search_description not in ("", original.search_description), page.url_path


class VisibleText(HTMLParser):
    """The text a reader of the English page meets: no scripts or styles, nothing inside an
    element marked as another language (the switcher's "Español", a page shown in Spanish)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        lang = dict(attrs).get("lang")
        hidden = tag in {"script", "style", "title"} or (lang is not None and not lang.startswith("en"))
        self.stack.append(hidden or bool(self.stack and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)

    @classmethod
    def of(cls, html):
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def spanish_interface_texts():
    """Every Spanish translation of an interface string that says something of its own: two or
    more words, different from its English msgid, without placeholders or markup."""
    texts = set()
    for entry in _entries("es").values():
        for text in entry["msgstr"].values():
            if text != entry["msgid"] and len(text.split()) >= 2 and not re.search(r"[%{<]", text):
                texts.add(text)
    return texts


@pytest.mark.django_db
def test_english_pages_show_no_spanish_interface_text(client, demo_site, settings):
    from search import indexing

    settings.ELASTICSEARCH_URL = ""
    listing = PublishedOrganizationFactory(name="Arepera Zuliana")
    indexing.rebuild()
    english = Locale.objects.get(language_code="en")
    spanish_labels = {block.value["title"] for block in _navigation().main_menu}
    spanish_titles = {
        page.title for page in Page.objects.live().filter(depth__gt=1, locale__language_code="es")
    }
    english_pages = [page.url for page in Page.objects.live().filter(depth__gt=1, locale=english)]
    directory = DirectoryPage.objects.live().get(locale=english)
    urls = [
        *english_pages,
        f"{directory.url}{listing.slug}/",
        "/en/empezar/",
        "/en/verify/",
        f"/en/verify/{listing.registry_number}/",
        "/en/accounts/login/",
        "/en/accounts/signup/",
    ]
    forbidden = spanish_interface_texts() | spanish_titles
    assert len(urls) >= 15 and {"Directorio", "Guías", "Eventos"} <= spanish_labels
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")  # the prefix wins over the browser
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="en">' in html, url
        text = VisibleText.of(html)
        words = set(re.findall(r"\w+", text))
        assert [label for label in spanish_labels if label in words] == [], url
        assert sorted(phrase for phrase in forbidden if phrase in text) == [], url


def _navigation():
    from cms.models import NavigationSettings

    return NavigationSettings.for_site(Site.objects.get(is_default_site=True))


@pytest.mark.django_db
def test_editors_can_translate_and_edit_the_english_pages(demo_site):
    from django.contrib.auth.models import Group

    from registry.permissions import EDITORS, ensure_staff_groups
    from tests.factories import UserFactory

    editor = UserFactory(username="editora")
    editor.groups.add(Group.objects.get(name=EDITORS))
    english = Locale.objects.get(language_code="en")
    english_guide = GuidePage.objects.get(slug="formalizar-mi-negocio", locale=english)
    assert english_guide.permissions_for_user(editor).can_publish()
    assert editor.has_perm("simple_translation.submit_translation")

    # Another municipality's site: its home, translated later, brings its editors along.
    other = HomePage(title="Municipalidad de Otra", slug="otra")
    Page.get_first_root_node().add_child(instance=other)
    Site.objects.create(hostname="otra.example.pe", root_page=other)
    ensure_staff_groups(root_page=other)
    translated = other.copy_for_translation(english)
    editor = type(editor).objects.get(pk=editor.pk)  # Wagtail keeps a user's page rights on the object
    assert translated.permissions_for_user(editor).can_edit()
