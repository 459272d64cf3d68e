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
            "BACKEND": "django.core.files.storage.FileSystemStorage",
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


@pytest.fixture
def demo_site(db):
    """The demo pages and settings from seed_demo, without listings."""
    from cms.demo import build_site
    from registry.permissions import ensure_staff_groups

    home = build_site()
    ensure_staff_groups(root_page=home)
    return home


@pytest.fixture(autouse=True)
def _spanish_by_default():
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
