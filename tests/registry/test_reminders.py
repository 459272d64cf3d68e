"""Reminders: expiring documents, licences and certificates, the yearly "is this listing still
right?", and the listings nobody confirmed (flagged to their staff, shown as such, still listed)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from cms.models import DirectoryPage
from registry import public
from registry.models import (
    ApplicationStatus,
    ConsentRecord,
    FormalizationStep,
    Kind,
    OrganizationStep,
    SentReminder,
    StepStatus,
)
from registry.permissions import REGISTRARS
from registry.services.reminders import current_reminder_day, send_reminders
from search import indexing
from tests.factories import OrganizationFactory, PersonFactory, PublishedOrganizationFactory, UserFactory

from .test_concurrency import race

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n):
    return TODAY + timedelta(days=n)


def ago(n):
    return timezone.now() - timedelta(days=n)


def on(day, language="es"):
    with translation.override(language):
        return date_format(day, "DATE_FORMAT")


def with_consent(organization, user, language):
    ConsentRecord.objects.create(
        user=user, organization=organization, text_version="1", text="Acepto.", language=language
    )
    return organization


@pytest.fixture
def owner(db):
    return UserFactory(username="duena", email="duena@example.org")


@pytest.fixture
def listing(owner):
    """Published, its data confirmed today, its owner writing in Spanish."""
    organization = PublishedOrganizationFactory(
        owner=owner, name="Cachapas Mérida", last_confirmed_at=timezone.now()
    )
    return with_consent(organization, owner, "es")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """One daily run as `today` would run it, its e-mails delivered."""

    def run(today):
        with django_capture_on_commit_callbacks(execute=True):
            counts = send_reminders(today=today)
        return {kind: n for kind, n in counts.items() if n}

    return run


def to(address):
    return [message for message in mail.outbox if address in message.to]


# ----- when each reminder is due ---------------------------------------------------------------


def test_the_reminder_day_is_the_latest_reached_and_the_last_is_given_up_later():
    expires = days(40)
    assert current_reminder_day(expires, today=days(9), days_before=(30, 0)) is None
    assert current_reminder_day(expires, today=days(10), days_before=(30, 0)) == days(10)
    assert current_reminder_day(expires, today=days(39), days_before=(30, 0)) == days(10)
    assert current_reminder_day(expires, today=days(40), days_before=(30, 0)) == days(40)
    assert current_reminder_day(expires, today=days(69), days_before=(30, 0)) == days(40)
    assert current_reminder_day(expires, today=days(70), days_before=(30, 0)) is None
    # 60 and 30 days before: a run that missed the first sends only the second, never both.
    assert current_reminder_day(expires, today=days(12), days_before=(60, 30)) == days(10)
    assert current_reminder_day(expires, today=days(40), days_before=(60, 30)) is None


def test_a_migration_document_is_reminded_30_days_before_and_on_the_day_once(listing, run):
    PersonFactory(organization=listing, full_name="Yusmary Pérez", document_expires_on=days(40))

    assert run(days(9)) == {}
    assert run(days(10)) == {"document_expiry": 1}
    assert run(days(10)) == {}  # the same day again: already sent
    assert run(days(11)) == {}
    assert run(days(39)) == {}
    assert run(days(40)) == {"document_expiry": 1}  # on the day it expires
    assert run(days(41)) == {}

    first, on_the_day = to("duena@example.org")
    with translation.override("es"):
        subject = gettext("A migration document is about to expire: %(name)s") % {"name": "Cachapas Mérida"}
    assert first.subject == on_the_day.subject == subject
    assert f"Yusmary Pérez: válido hasta el {on(days(40))}" in first.body
    assert f"/mis-registros/{listing.pk}/" in first.body and "/en/" not in first.body
    assert SentReminder.objects.filter(organization=listing, kind="document_expiry").count() == 2


def test_a_licence_and_its_itse_are_reminded_60_and_30_days_before_in_one_message(listing, run):
    licence = FormalizationStep.objects.create(
        code="licencia-prueba",
        kind=Kind.BUSINESS,
        title="Licencia de funcionamiento",
        title_en="Operating licence",
    )
    itse = FormalizationStep.objects.create(
        code="itse-prueba", kind=Kind.BUSINESS, title="Certificado ITSE", title_en="ITSE certificate"
    )
    for step in (licence, itse):
        OrganizationStep.objects.create(
            organization=listing, step=step, status=StepStatus.VERIFIED, valid_until=days(70)
        )
    # A step not done yet gave nothing that can expire.
    pending = FormalizationStep.objects.create(code="sunarp-prueba", kind=Kind.BUSINESS, title="SUNARP")
    OrganizationStep.objects.create(
        organization=listing, step=pending, status=StepStatus.IN_PROGRESS, valid_until=days(70)
    )

    assert run(days(9)) == {}
    assert run(days(10)) == {"permit_expiry": 1}  # 60 days before
    assert run(days(39)) == {}
    assert run(days(40)) == {"permit_expiry": 1}  # 30 days before
    assert run(days(40)) == {}
    assert run(days(70)) == {}  # nothing after: the 30-day one was the last

    first, second = to("duena@example.org")
    for message in (first, second):
        assert f"Licencia de funcionamiento: válido hasta el {on(days(70))}" in message.body
        assert f"Certificado ITSE: válido hasta el {on(days(70))}" in message.body
        assert "SUNARP" not in message.body


def test_reminders_speak_the_language_the_applicant_chose(db, run):
    spanish, english = UserFactory(username="sofia"), UserFactory(username="john")
    for user, language in ((spanish, "es"), (english, "en")):
        organization = PublishedOrganizationFactory(owner=user, name=f"Bodega {user.username}")
        with_consent(organization, user, language)
        PersonFactory(organization=organization, full_name="Luis Rondón", document_expires_on=days(30))

    assert run(TODAY) == {"document_expiry": 2}
    (es,), (en,) = to(spanish.email), to(english.email)
    assert es.subject == "Un documento migratorio está por vencer: Bodega sofia"
    assert "Hola:" in es.body and f"Luis Rondón: válido hasta el {on(days(30))}" in es.body
    assert en.subject == "A migration document is about to expire: Bodega john"
    assert "Hello," in en.body and f"Luis Rondón: valid until {on(days(30), 'en')}" in en.body


def test_nothing_for_listings_the_public_does_not_see_nor_for_people_without_an_expiry(owner, listing, run):
    PersonFactory(organization=listing, document_expires_on=None)
    for fields in (
        {"status": ApplicationStatus.SUBMITTED},
        {"status": ApplicationStatus.REJECTED},
        {"status": ApplicationStatus.SUSPENDED, "live": True},
        {"status": ApplicationStatus.APPROVED, "live": False},  # withdrawn from the directory
    ):
        organization = OrganizationFactory(owner=owner, last_confirmed_at=ago(800), **fields)
        with_consent(organization, owner, "es")
        PersonFactory(organization=organization, document_expires_on=TODAY)
        step = FormalizationStep.objects.create(
            code=f"licencia-{organization.pk}", kind=Kind.BUSINESS, title="L"
        )
        OrganizationStep.objects.create(
            organization=organization, step=step, status=StepStatus.DONE, valid_until=days(30)
        )

    for day in (TODAY, days(30)):
        assert run(day) == {}
    assert not mail.outbox and not SentReminder.objects.exists()


# ----- the yearly confirmation -----------------------------------------------------------------


def test_the_yearly_question_goes_a_year_after_the_last_confirmation_once(owner, listing, run):
    assert run(days(364)) == {}
    assert run(days(365)) == {"confirmation": 1}
    assert run(days(366)) == {}

    (message,) = to("duena@example.org")
    assert message.subject == "¿Los datos de Cachapas Mérida siguen correctos?"
    assert f"se confirmaron por última vez el {on(TODAY)}" in message.body
    assert f"/mis-registros/{listing.pk}/comprobar/" in message.body
    assert on(days(395)) in message.body  # from when it would say "unconfirmed"


def test_a_listing_never_confirmed_counts_from_its_registration(owner, run):
    organization = PublishedOrganizationFactory(owner=owner, last_confirmed_at=None, registered_at=ago(365))
    assert public.confirmed_on(organization) == timezone.localdate(ago(365))
    assert run(TODAY) == {"confirmation": 1}


def test_a_failed_run_leaves_nothing_and_its_retry_sends_once(
    listing, django_capture_on_commit_callbacks, run
):
    PersonFactory(organization=listing, document_expires_on=days(30))
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        send_reminders(today=TODAY)
        raise RuntimeError("the worker died before its commit")
    assert not mail.outbox and not SentReminder.objects.exists()

    assert run(TODAY) == {"document_expiry": 1}
    assert run(TODAY) == {}
    assert len(to("duena@example.org")) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two workers can only race on PostgreSQL (SQLite serializes writers); set DATABASE_URL to run",
)
def test_two_workers_at_the_same_moment_send_a_reminder_once(listing):
    PersonFactory(organization=listing, document_expires_on=days(30))
    results, errors = race([lambda: send_reminders(today=TODAY)] * 2)
    assert errors == [None, None]
    assert sorted(result["document_expiry"] for result in results) == [0, 1]
    assert SentReminder.objects.count() == 1
    assert len(to("duena@example.org")) == 1


def test_the_reminder_link_shows_the_data_and_a_post_confirms_and_restarts_the_clock(
    client, owner, listing, run
):
    listing.last_confirmed_at = ago(365)
    listing.save(update_fields=["last_confirmed_at"])
    assert run(TODAY) == {"confirmation": 1}

    url = reverse("registry:check_listing", args=[listing.pk])
    assert client.get(url).status_code == 302  # to the login
    client.force_login(owner)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Cachapas Mérida" in html and "Arepas y cachapas" in html
    confirm = reverse("registry:confirm_listing", args=[listing.pk])
    assert (
        f'action="{confirm}"' in html
        and "csrfmiddlewaretoken" in html
        and "Mis datos siguen correctos" in html
    )
    assert reverse("registry:wizard", args=[listing.pk, "organizacion"]) in html  # or propose changes
    listing.refresh_from_db()
    assert timezone.localdate(listing.last_confirmed_at) == timezone.localdate(
        ago(365)
    )  # a GET changes nothing

    assert client.post(confirm).status_code == 302
    listing.refresh_from_db()
    assert timezone.localdate(listing.last_confirmed_at) == TODAY
    # The clock starts again: nothing until a year from today, then the next question.
    assert run(days(364)) == {}
    assert run(days(365)) == {"confirmation": 1}
    assert run(days(395)) == {"unconfirmed": 1}


def test_nobody_else_opens_or_confirms_someone_elses_listing(client, listing):
    confirmed = listing.last_confirmed_at
    client.force_login(UserFactory(username="intrusa"))
    assert client.get(reverse("registry:check_listing", args=[listing.pk])).status_code == 404
    assert client.post(reverse("registry:confirm_listing", args=[listing.pk])).status_code == 404
    listing.refresh_from_db()
    assert listing.last_confirmed_at == confirmed


# ----- unconfirmed listings --------------------------------------------------------------------


@pytest.fixture
def unconfirmed(carmen, owner):
    """A Lima and a Carmen de la Legua listing unconfirmed for 400 days, a fresh Lima one, and a
    registrar of each municipality."""
    lima_registrar = UserFactory(username="registrador-lima", email="lima@example.org")
    lima_registrar.groups.add(Group.objects.get(name=REGISTRARS))
    carmen_registrar = UserFactory(username="registrador-carmen", email="carmen@example.org")
    carmen_registrar.groups.add(carmen.staff_groups.get(role="registrars").group)
    return {
        "lima": PublishedOrganizationFactory(
            owner=owner, name="Panadería Caracas", last_confirmed_at=ago(400)
        ),
        "carmen": PublishedOrganizationFactory(
            name="Costura Valencia",
            municipality=carmen,
            registry_number="MCL-2026-000001",
            last_confirmed_at=ago(400),
        ),
        "fresh": PublishedOrganizationFactory(name="Tequeños Lara", last_confirmed_at=ago(30)),
        "lima_registrar": lima_registrar,
        "carmen_registrar": carmen_registrar,
    }


def test_staff_are_told_once_of_their_own_municipalitys_unconfirmed_listings(unconfirmed, run):
    assert public.unconfirmed_since(unconfirmed["lima"]) == timezone.localdate(ago(400))
    assert public.unconfirmed_since(unconfirmed["fresh"]) is None

    assert run(TODAY) == {"confirmation": 2, "unconfirmed": 2}
    assert run(TODAY) == {}
    assert run(days(1)) == {}

    (lima,) = to("lima@example.org")
    (carmen,) = to("carmen@example.org")
    assert (
        lima.subject == "Fichas sin confirmar en Municipalidad Metropolitana de Lima"
        or "Lima" in lima.subject
    )
    assert "Panadería Caracas" in lima.body and "Costura Valencia" not in lima.body
    assert f"sin confirmar desde el {on(timezone.localdate(ago(400)))}" in lima.body
    assert "?confirmation=unconfirmed" in lima.body
    assert "Costura Valencia (MCL-2026-000001)" in carmen.body and "Panadería Caracas" not in carmen.body
    # Nothing was decided for them: both are still listed.
    for key in ("lima", "carmen"):
        unconfirmed[key].refresh_from_db()
        assert unconfirmed[key].is_published


def test_the_staff_filter_shows_only_their_municipalitys_unconfirmed_listings(client, unconfirmed):
    url = reverse("wagtailsnippets_registry_organization:list") + "?confirmation=unconfirmed"
    client.force_login(unconfirmed["lima_registrar"])
    html = client.get(url).content.decode()
    assert "Panadería Caracas" in html
    assert "Costura Valencia" not in html and "Tequeños Lara" not in html
    client.force_login(unconfirmed["carmen_registrar"])
    html = client.get(url).content.decode()
    assert "Costura Valencia" in html and "Panadería Caracas" not in html


def test_the_public_reads_unconfirmed_since_and_the_listing_stays_listed(client, unconfirmed):
    indexing.rebuild()
    directory = DirectoryPage.objects.live().first()
    since = f"Datos sin confirmar desde el {on(timezone.localdate(ago(400)))}"

    page = client.get(f"{directory.url}?q=panaderia", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Panadería Caracas" in page and since in page
    page = client.get(
        f"{directory.url}{unconfirmed['lima'].slug}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert since in page and "Datos confirmados el" not in page

    fresh = client.get(
        f"{directory.url}{unconfirmed['fresh'].slug}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "sin confirmar" not in fresh and "Datos confirmados el" in fresh

    api = client.get("/api/v1/directory/", {"q": "panaderia"}).json()
    assert [result["name"] for result in api["results"]] == ["Panadería Caracas"]


def test_my_registrations_tells_the_owner_and_links_the_check_page(client, owner, unconfirmed):
    fresh = PublishedOrganizationFactory(owner=owner, name="Arepas Zulia", last_confirmed_at=ago(30))
    client.force_login(owner)
    html = client.get(reverse("registry:my_registrations"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    since = on(timezone.localdate(ago(400)))
    assert f"sus datos están sin confirmar desde el {since}" in html
    assert reverse("registry:check_listing", args=[unconfirmed["lima"].pk]) in html
    assert reverse("registry:check_listing", args=[fresh.pk]) not in html
    assert html.count("sin confirmar desde") == 1  # the fresh listing is not flagged


# ----- the command -----------------------------------------------------------------------------


def test_the_command_dry_run_prints_and_sends_nothing(listing):
    PersonFactory(organization=listing, document_expires_on=days(30))
    out = StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    assert (
        "Cachapas Mérida" in out.getvalue() and "Would send 1 reminders; nothing was sent." in out.getvalue()
    )
    assert not SentReminder.objects.exists() and not mail.outbox

    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "documents 1" in out.getvalue()
    assert SentReminder.objects.count() == 1
