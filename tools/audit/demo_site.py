"""A freshly seeded demo site, served as in production, for the audit and the screenshots.

`served_demo(workdir)` builds a new SQLite database in `workdir` (migrate, `seed_demo`),
collects the static files, logs the demo applicant in (a session row in that database, so a
browser or Lighthouse only needs the cookie), starts gunicorn with the production settings
(DEBUG off, whitenoise serving the collected files) on a free loopback port, and yields a
`DemoSite` with the base URL, the session cookie and the pages to look at. The server is
stopped on exit. Nothing outside `workdir` is written.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class AuditPage:
    name: str
    path: str
    # Pages meant to stay out of search engines carry `<meta name="robots" content="noindex">`;
    # Lighthouse's SEO score marks that down by design, so it is not held to the threshold.
    noindex: bool = False
    # Pages shown only to the logged-in applicant: fetched with the session cookie.
    logged_in: bool = False
    status: int = 200


@dataclass
class DemoSite:
    base_url: str
    session_cookie: str
    pages: list = field(default_factory=list)
    named: dict = field(default_factory=dict)

    def url(self, page):
        return self.base_url + page.path

    @property
    def cookie_header(self):
        return f"sessionid={self.session_cookie}"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(workdir):
    env = {k: v for k, v in os.environ.items() if k not in ("ELASTICSEARCH_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="audit-" + secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        PRIVATE_MEDIA_ROOT=str(workdir / "private"),
        # Plain HTTP on loopback: no TLS proxy in front, so no redirect to https nor HSTS.
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    return env


def _pages():
    """The public pages and the applicant's pages of the seeded demo, by name."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from cms.models import DirectoryPage, EventIndexPage, EventPage, GuideIndexPage, GuidePage, StandardPage
    from registry.demo_applications import APPLICANT_EMAIL
    from registry.models import Organization
    from registry.views.wizard import STEP_CODES

    directory = DirectoryPage.objects.live().first().url
    listing = Organization.objects.published().exclude(registry_number="").order_by("pk").first()
    draft = Organization.objects.get(slug="demo-borrador")
    start_answers = urlencode(
        {"kind": "business", "legal_form": "informal", "migration_document": "cpp", "has_ruc": "no"}
    )
    pages = [
        AuditPage("home", "/"),
        AuditPage("directory", directory),
        AuditPage("directory search", directory + "?" + urlencode({"q": "arepas", "sector": "gastronomia"})),
        AuditPage("listing", f"{directory}{listing.slug}/"),
        AuditPage("start", reverse("registry:start")),
        AuditPage("start answered", reverse("registry:start") + "?" + start_answers),
        AuditPage("verify lookup", reverse("registry:verify_lookup")),
        AuditPage("verify", reverse("registry:verify", args=[listing.registry_number]), noindex=True),
        AuditPage(
            "certificate", reverse("registry:certificate", args=[listing.registry_number]), noindex=True
        ),
        AuditPage("guides", GuideIndexPage.objects.live().first().url),
        AuditPage("guide", GuidePage.objects.live().first().url),
        AuditPage("events", EventIndexPage.objects.live().first().url),
        AuditPage("event", EventPage.objects.live().first().url),
    ]
    pages += [
        AuditPage(f"page {p.slug}", p.url)
        for p in StandardPage.objects.live().filter(locale__language_code="es").order_by("path")
    ]
    english_directory = DirectoryPage.objects.live().filter(locale__language_code="en").first().url
    pages += [
        AuditPage("accessibility", reverse("accessibility")),
        AuditPage("home (en)", "/en/"),
        AuditPage("directory (en)", english_directory),
        AuditPage("start (en)", "/en" + reverse("registry:start") + "?" + start_answers),
    ]
    pages += [
        AuditPage("login", reverse("account_login")),
        AuditPage("signup", reverse("account_signup")),
        AuditPage("password reset", reverse("account_reset_password")),
        AuditPage("error 404", "/esta-pagina-no-existe/", noindex=True, status=404),
        AuditPage("my registrations", reverse("registry:my_registrations"), noindex=True, logged_in=True),
        AuditPage(
            "application",
            reverse("registry:application_detail", args=[draft.pk]),
            noindex=True,
            logged_in=True,
        ),
        AuditPage("my data", reverse("registry:my_data"), noindex=True, logged_in=True),
        AuditPage("new application", reverse("registry:application_new"), noindex=True, logged_in=True),
    ]
    pages += [
        AuditPage(
            f"wizard {step}", reverse("registry:wizard", args=[draft.pk, step]), noindex=True, logged_in=True
        )
        for step in STEP_CODES
    ]
    client = Client()
    client.force_login(get_user_model().objects.get(email=APPLICANT_EMAIL))
    return pages, client.cookies["sessionid"].value


def _wait_until_serving(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the demo site did not answer on {url} within {timeout} s")


def _log(message):
    print(f"[demo] {message}", file=sys.stderr, flush=True)


@contextmanager
def served_demo(workdir, listings=40):
    workdir = Path(workdir).resolve()
    # Stopped with SIGTERM (kill, make interrupted): leave through `finally`, stopping gunicorn.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    env = _environment(workdir)
    os.environ.update(env)
    for key in ("ELASTICSEARCH_URL", "REDIS_URL"):
        os.environ.pop(key, None)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django
    from django.core.management import call_command

    django.setup()
    started = time.monotonic()
    _log(f"seeding a new demo database in {workdir}")
    call_command("migrate", verbosity=0, interactive=False)
    with open(os.devnull, "w") as quiet:  # seed_demo prints the staff password: not needed here
        call_command("seed_demo", listings=listings, verbosity=0, stdout=quiet)
    call_command("collectstatic", verbosity=0, interactive=False)
    pages, session = _pages()
    _log(f"seeded in {time.monotonic() - started:.0f} s")

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_until_serving(base_url, process)
        _log(f"serving on {base_url}")
        site = DemoSite(base_url=base_url, session_cookie=session, pages=pages)
        site.named = {page.name: page for page in pages}
        yield site
    finally:
        process.terminate()
        process.wait(timeout=30)
