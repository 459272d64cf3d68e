"""End-to-end tests in a real headless Chromium (Debian's package) driven by Playwright.

Mark browser tests with `pytestmark = [pytest.mark.e2e, E2E_DB]`: the live server needs a
transactional database, and serialized_rollback brings back the data of the migrations
(districts, sectors, Wagtail's root page) that a transactional test's flush removes.

Locally they skip, saying why, when Chromium is missing; in CI (CI=true) a missing browser is a
failure, since .ci/services.sh installs it.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

E2E_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run in a
# thread with a loop unless told it is safe. It is: the loop only talks to the browser.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_path():
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).exists() else None


def axe_path():
    candidate = Path(os.environ.get("AXE_CORE_PATH") or ROOT / "node_modules" / "axe-core" / "axe.min.js")
    return candidate if candidate.exists() else None


def _unavailable(reason):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must install it: bash .ci/services.sh chromium)")
    pytest.skip(f"{reason}; install it with `bash .ci/services.sh chromium` to run the browser tests")


@pytest.fixture(scope="session")
def initial_data(django_db_setup, django_db_blocker):
    """The migrations' data (vocabulary, Wagtail's root page), serialized at database creation.

    Read before Playwright starts, from the connection object database creation gave it to (see
    `browser` for why a later one lacks it)."""
    from django.db import connection

    return getattr(connection, "_test_serialized_contents", None)


def _serialized_contents_on_this_connection(initial_data):
    """Give this thread's current connection object the serialized data.

    Playwright's sync API leaves an asyncio event loop running in the test thread, and Django's
    connection handler (thread-critical asgiref Local) then gives this thread another connection
    object, one without `_test_serialized_contents`. TransactionTestCase reads that attribute
    twice: before a test, to restore the migrations' data, and after it, to flush without
    post_migrate. Without it the first browser test restored nothing and flushed with nothing
    to restore from, and the next one restored into an empty database: Wagtail's Task.__init__
    looks up the content type of RegistryReviewTask while its row is being deserialized, with
    an empty ContentType cache that inserts a new row, and the real row then breaks the unique
    constraint (IntegrityError on django_content_type). It showed whenever the first browser test
    did not reach the code that warms that cache: skipped without axe-core, or a short test."""
    from django.db import connection

    if initial_data is not None:
        connection._test_serialized_contents = initial_data


@pytest.fixture
def demo_site(transactional_db):
    """The demo site, on top of the migrations' data that serialized_rollback restored."""
    from cms.demo import build_site
    from registry.permissions import ensure_staff_groups

    home = build_site()
    ensure_staff_groups(root_page=home)
    return home


@pytest.fixture(scope="session")
def browser(initial_data):
    path = chromium_path()
    if path is None:
        _unavailable("Chromium is not installed (looked for $CHROMIUM_PATH and /usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("The playwright Python package is missing")
    with sync_playwright() as playwright:
        _serialized_contents_on_this_connection(initial_data)
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(browser):
    # bypass_csp lets axe-core be injected as an inline script; the site's own pages are held to
    # the policy by tests/security (no inline script in any public template).
    context = browser.new_context(locale="es-PE", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context, live_server, demo_site):
    """A page on the live server with the demo site in place; `page.base_url` is the server."""
    page = browser_context.new_page()
    page.base_url = live_server.url
    yield page
    page.close()


@pytest.fixture
def phone_page(browser, live_server, demo_site):
    """The same on a 360-pixel-wide phone viewport."""
    context = browser.new_context(
        locale="es-PE",
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def axe_violations():
    """Run axe-core in the page; return the violations of serious or critical impact."""
    path = axe_path()
    if path is None:
        _unavailable("axe-core is not installed (npm ci in the repository root)")

    def run(page, impacts=("serious", "critical")):
        page.add_script_tag(path=str(path))
        result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
        violations = json.loads(result)["violations"]
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]],
            }
            for v in violations
            if v["impact"] in impacts
        ]

    return run


PASSWORD = "una-clave-segura-123"  # tests.factories.UserFactory's


def staff_page(browser, base_url, username):
    """A member of staff logged in to the admin, on a desktop-sized window."""
    context = browser.new_context(locale="es-PE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(base_url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page
