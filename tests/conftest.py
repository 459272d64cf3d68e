import shutil

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _private_media(tmp_path, settings):
    """Each test writes uploads into its own folders, so no file outlives its test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "registry.security.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    from django.core.files.storage import storages
    from django.utils.functional import empty

    from registry.models.documents import private_files

    storages._storages = {}
    storages._backends = None
    private_files._wrapped = empty
    yield
    storages._storages = {}
    storages._backends = None
    private_files._wrapped = empty
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_process_state():
    """Forget what the test process remembers between requests, before and after each test.

    A web process keeps these for its lifetime, and rightly: in production the database they
    describe only moves forward. Between tests it does not: each test's changes are rolled back
    (or flushed), so the index version token goes back to what it was (0, no row, for most tests)
    while the next test builds different data under that same version. Kept, they hand one
    test's state to the next and make results depend on the order the tests run in:

    - Django's cache (locmem, per process): directory pages cached under the index version
      (cms/page_cache.py), rate-limit counters (allauth, django-ratelimit);
    - the paths the page cache has learnt are cacheable (cms.page_cache._cacheable_paths): a test
      that expects "learn on the first request, cache from the second" gets a hit at once;
    - the database backend's per-version memo (search/memo.py: synonyms, indexed words, facets);
    - the directory pages' routes and shells kept per index version (cms/page_shell.py), and
      the parts of pages kept per version (cms/templatetags/cms_fragments.py);
    - the Elasticsearch circuit breaker, opened by a test that points at a closed port;
    - the ids marked for re-indexing and the pending synonym rebuild (search/signals.py) in a
      transaction the test rolled back, whose on_commit never ran: the next test to commit
      would re-index them along with its own and count extra queries;
    - the home municipality's id (registry.models.municipality.home_municipality_id), which a
      test that commits may have kept, and the next one's flushed database no longer has.
    """
    from django.core.cache import cache

    from cms import page_cache, page_shell
    from cms.templatetags import cms_fragments
    from registry.models.municipality import forget_home_municipality
    from search import memo
    from search import signals as search_signals
    from search.backends import elasticsearch as es_backend

    def forget():
        forget_home_municipality()
        cache.clear()
        page_cache._cacheable_paths.clear()
        page_shell.forget()
        cms_fragments.forget()
        memo.forget_cached()
        es_backend.reset_circuit()
        search_signals._pending.ids = set()
        search_signals._pending.rebuild = False

    forget()
    yield
    forget()


@pytest.fixture
def demo_site(db):
    """The demo pages and settings from seed_demo, without listings."""
    from cms.demo import build_site
    from registry.permissions import ensure_staff_groups

    home = build_site()
    ensure_staff_groups(root_page=home)
    return home


@pytest.fixture
def carmen(demo_site):
    """A second municipality beside the home one (Lima Metropolitana): Carmen de la Legua Reynoso,
    with its own staff groups and workflow, prefix MCL; no site of its own."""
    from registry.services.municipalities import register_municipality

    municipality, _created = register_municipality(ubigeo="070103", prefix="MCL")
    return municipality


@pytest.fixture(autouse=True)
def _spanish_by_default():
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
