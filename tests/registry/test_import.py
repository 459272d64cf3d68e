"""Importing registry files: every format and encoding, matching, publishing, drafts, history."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.utils import translation
from wagtail.models import ModelLogEntry

from registry.importexport.services import IMPORT_ACTION, import_registry
from registry.models import ApplicationStatus, Organization
from tests.factories import PublishedOrganizationFactory, UserFactory

FILES = Path(__file__).parent / "files"


def run(name, **kwargs):
    path = FILES / name
    return import_registry(data=path.read_bytes(), file_name=path.name, **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "fmt", "encoding", "delimiter"),
    [
        ("registry-utf8.csv", "csv", "utf-8", ","),
        ("registry-utf8-bom.csv", "csv", "utf-8-sig", ","),
        ("registry-latin1-semicolon.csv", "csv", "cp1252", ";"),
        ("registry.xlsx", "xlsx", "", ""),
        ("registry.json", "json", "utf-8", ""),
    ],
)
def test_each_format_and_encoding_imports_the_same_three_listings(demo_site, name, fmt, encoding, delimiter):
    report = run(name, publish=True)

    assert report.ok, report.as_dict()
    assert (report.format, report.encoding, report.delimiter) == (fmt, encoding, delimiter)
    assert report.counts == {"new": 3, "updated": 0, "unchanged": 0, "error": 0}
    arepera = Organization.objects.get(registry_number="RMO-2024-000101")
    assert arepera.name == "Arepera La Guaira"
    assert arepera.sector.code == "gastronomia"
    assert arepera.district.code == "carmen-de-la-legua-reynoso"
    assert arepera.latitude == Decimal("-12.041200")
    assert arepera.services == ["arepas", "cachapas", "tequeños"]
    assert arepera.ruc == "10456789019"
    assert arepera.founded_year == 2019
    assert arepera.is_published
    peluqueria = Organization.objects.get(name="Peluquería Génesis")
    assert peluqueria.district.code == "san-martin-de-porres"
    assert peluqueria.address_public is False
    assert peluqueria.languages == ["es", "en"]
    asociacion = Organization.objects.get(name__startswith="Asociación")
    assert asociacion.district.code == "brena"
    assert asociacion.website == "https://www.vunidos.example.org"
    # Published rows without a number get the next ones of the counter.
    assert peluqueria.registry_number and asociacion.registry_number
    assert peluqueria.registry_number != asociacion.registry_number
    assert peluqueria.slug and asociacion.slug


@pytest.mark.django_db
def test_dry_run_writes_nothing_but_reports_every_row(demo_site):
    report = run("registry-utf8.csv", publish=True, dry_run=True)

    assert report.ok
    assert not report.applied
    assert [r.status for r in report.rows] == ["new", "new", "new"]
    assert [r.number for r in report.rows] == [2, 3, 4]
    assert Organization.objects.count() == 0
    assert not ModelLogEntry.objects.filter(action=IMPORT_ACTION).exists()


@pytest.mark.django_db
def test_rows_match_by_registry_number_update_or_stay_unchanged(demo_site):
    existing = PublishedOrganizationFactory(registry_number="RMO-2024-000101", name="Arepera vieja")
    first = run("registry-utf8.csv", publish=True)
    assert first.counts == {"new": 2, "updated": 1, "unchanged": 0, "error": 0}
    updated = first.rows[0]
    assert updated.status == "updated"
    assert ("name", "Arepera vieja", "Arepera La Guaira") in updated.changes
    existing.refresh_from_db()
    assert existing.name == "Arepera La Guaira"
    assert Organization.objects.count() == 3

    # The same file again: the numbered row is unchanged; the others have no number, so new.
    again = run("registry-utf8.csv", publish=True, dry_run=True)
    assert again.rows[0].status == "unchanged"


@pytest.mark.django_db
def test_each_applied_import_is_in_the_audit_log_with_who_and_counts(demo_site):
    from django.contrib.auth.models import Group

    registrar = UserFactory(username="registradora")
    registrar.groups.add(Group.objects.get(name="Registradores"))
    report = run("registry-utf8.csv", publish=True, user=registrar)

    assert report.applied
    entry = ModelLogEntry.objects.get(action=IMPORT_ACTION)
    assert entry.user == registrar
    assert entry.label == "registry-utf8.csv"
    assert entry.data["new"] == 3
    assert entry.data["rows"] == 3
    assert entry.data["publish"] is True


@pytest.mark.django_db
def test_imported_listings_reach_the_directory_index(demo_site):
    from search.models import DirectoryEntry

    report = run("registry-utf8.csv", publish=True)

    assert set(DirectoryEntry.objects.values_list("pk", flat=True)) == set(report.created_ids)


@pytest.mark.django_db
def test_drafts_are_not_published_and_enter_review(demo_site):
    report = run("registry-utf8.csv", publish=False)

    assert report.applied
    for organization in Organization.objects.all():
        assert not organization.live
        assert organization.status == ApplicationStatus.SUBMITTED and organization.submitted_at
        assert organization.current_workflow_state.status == "in_progress"
    assert not Organization.objects.published().exists()
    # In the audit log as submissions from the import, as the staff queue and timeline read them.
    from registry.services.review import SUBMIT

    entries = ModelLogEntry.objects.filter(action=SUBMIT)
    assert entries.count() == 3
    assert {(e.data["source"], e.data["file_name"]) for e in entries} == {("import", "registry-utf8.csv")}
    assert not mail.outbox  # no applicant to tell, and the reviewers' queue shows them


@pytest.mark.django_db
def test_only_staff_who_import_may_put_imported_drafts_into_review(demo_site):
    from registry.services.review import ReviewNotAllowed, submit_imported
    from tests.factories import OrganizationFactory

    draft = OrganizationFactory(name="Bodega sin revisar")
    with pytest.raises(ReviewNotAllowed):
        submit_imported(organizations=[draft], user=UserFactory(username="vecina"), file_name="lista.csv")
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT and draft.current_workflow_state is None


@pytest.mark.django_db
def test_publish_goes_through_the_approval_path_with_history_and_wagtail_search(
    demo_site, django_capture_on_commit_callbacks
):
    """`import_registry FILE --publish`: one revision and one audit entry per listing naming the
    import, found by Wagtail's own search (the admin's listing and choosers)."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from wagtail.models import Revision
    from wagtail.search.backends import get_search_backend

    from registry.services.review import APPROVE, APPROVE_CHANGES

    registrar = UserFactory(username="registradora")
    registrar.groups.add(Group.objects.get(name="Registradores"))
    with django_capture_on_commit_callbacks(execute=True):  # Wagtail's index follows the commit
        call_command("import_registry", str(FILES / "registry-utf8.csv"), "--publish", stdout=io.StringIO())

    organizations = list(Organization.objects.all())
    assert len(organizations) == 3
    for organization in organizations:
        assert organization.is_published and organization.registry_number
        entries = ModelLogEntry.objects.for_instance(organization).filter(action=APPROVE)
        assert entries.count() == 1
        entry = entries.get()
        assert entry.data["source"] == "import" and entry.data["file_name"] == "registry-utf8.csv"
        assert entry.data["registry_number"] == organization.registry_number
        revisions = Revision.objects.for_instance(organization)
        assert revisions.count() == 1
        assert organization.live_revision_id == organization.latest_revision_id == revisions.get().pk
        assert entry.revision_id == revisions.get().pk
    found = get_search_backend().search("Guaira", Organization)
    assert [o.name for o in found] == ["Arepera La Guaira"]

    # The same file again, changed: the registrations' changes are approved with history too.
    data = (FILES / "registry-utf8.csv").read_text().replace("Arepera La Guaira", "Arepera La Guaira Express")
    with django_capture_on_commit_callbacks(execute=True):
        report = import_registry(data=data.encode(), file_name="cambios.csv", publish=True, user=registrar)
    assert report.ok and report.counts["updated"] == 1
    arepera = Organization.objects.get(registry_number="RMO-2024-000101")
    change = ModelLogEntry.objects.for_instance(arepera).get(action=APPROVE_CHANGES)
    assert change.user == registrar and change.data["file_name"] == "cambios.csv"
    assert Revision.objects.for_instance(arepera).count() == 2
    assert [o.name for o in get_search_backend().search("Express", Organization)] == [
        "Arepera La Guaira Express"
    ]


@pytest.mark.django_db
def test_published_new_rows_are_written_once_already_approved(demo_site):
    """On PostgreSQL the new rows of a published list go in approved, pointing at the revision
    each is given, and are not updated again; on either database each revision describes the
    record as published, with no earlier revision, and its audit entry names it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Revision

    with CaptureQueriesContext(connection) as queries:
        report = run("registry-utf8.csv", publish=True)
    assert report.applied and report.counts["new"] == 3
    table = Organization._meta.db_table
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(f'UPDATE "{table}"')]
    if connection.vendor == "postgresql":
        assert updates == []
    for organization in Organization.objects.filter(pk__in=report.created_ids):
        revision = Revision.objects.for_instance(organization).get()
        assert organization.latest_revision_id == organization.live_revision_id == revision.pk
        assert organization.status == ApplicationStatus.APPROVED and organization.live
        assert not organization.has_unpublished_changes
        assert organization.registered_at == organization.decided_at == organization.first_published_at
        content = revision.content
        assert content["status"] == "approved" and content["live"] is True
        assert content["latest_revision"] is None and content["live_revision"] is None
        assert content["has_unpublished_changes"] is False
        entry = ModelLogEntry.objects.for_instance(organization).get(revision=revision)
        assert entry.data["registry_number"] == organization.registry_number


MIXED_PHONES = """name,kind,district,phone,whatsapp
Bodega Caracas,business,Comas,987 654 321,0412-1234567
Asesoría Lima,business,Breña,(01) 555-1234,+51 912 345 678
Taller Zulia,business,Comas,054 234567,0058 414 1234567
"""


@pytest.mark.django_db
def test_phones_in_any_spelling_are_stored_in_e164(demo_site):
    report = import_registry(data=MIXED_PHONES.encode(), file_name="telefonos.csv")

    assert report.ok, report.as_dict()
    stored = dict(Organization.objects.values_list("name", "phone").order_by())
    whatsapp = dict(Organization.objects.values_list("name", "whatsapp").order_by())
    assert stored == {
        "Bodega Caracas": "+51987654321",
        "Asesoría Lima": "+5115551234",
        "Taller Zulia": "+5154234567",
    }
    assert whatsapp == {
        "Bodega Caracas": "+584121234567",
        "Asesoría Lima": "+51912345678",
        "Taller Zulia": "+584141234567",
    }


@pytest.mark.django_db
def test_a_bad_phone_is_a_row_error_and_nothing_is_imported(demo_site):
    data = MIXED_PHONES + "Costura Mérida,business,Comas,12,\nPanadería Lara,business,Comas,,01 555 1234\n"
    with translation.override("en"):
        report = import_registry(data=data.encode(), file_name="telefonos.csv")

    assert not report.ok
    errors = {(error["row"], error["column"]): error["reason"] for error in report.as_dict()["errors"]}
    assert set(errors) == {(5, "phone"), (6, "whatsapp")}
    assert "for example 987 654 321" in errors[5, "phone"]
    assert "WhatsApp needs a mobile number" in errors[6, "whatsapp"]
    assert not Organization.objects.exists()
