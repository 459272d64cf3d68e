"""One organization, one record: likely duplicates found at submission and in an import's preview,
shown to the staff who serve the municipality with the reason, and linked, merged or dismissed
with the history kept."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry, WorkflowState

from registry.importexport.services import import_registry
from registry.models import (
    ApplicationStatus,
    District,
    DuplicateCandidate,
    FormalizationStep,
    MunicipalStaffGroup,
    Organization,
    OrganizationInvitation,
    OrganizationStep,
    StepStatus,
    SupportingDocument,
    home_municipality,
)
from registry.permissions import REGISTRARS, REVIEWERS
from registry.services import duplicates, review
from tests.factories import PublishedOrganizationFactory, UserFactory

from . import test_review_support as support

applicant, application, reviewer, registrar = (
    support.applicant,
    support.application,
    support.reviewer,
    support.registrar,
)

FILE = Path(__file__).parent / "files" / "duplicates.csv"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def breña():
    return District.objects.get(code="brena")


@pytest.fixture
def existing(demo_site):
    """Records of the home registry each row of files/duplicates.csv resembles in one way."""
    common = {"district": breña(), "phone": "", "whatsapp": ""}
    return {
        "ruc": PublishedOrganizationFactory(name="Panadería Sabor Llanero", ruc="20601234565", **common),
        "phone": PublishedOrganizationFactory(
            name="Taller Mecánico Chamo", **{**common, "phone": "+51911000002"}
        ),
        "whatsapp": PublishedOrganizationFactory(
            name="Costura Fina", **{**common, "whatsapp": "+51911000003"}
        ),
        "name": PublishedOrganizationFactory(name="Asociación Los Andes", **common),
        "place": PublishedOrganizationFactory(
            name="Bodega El Punto", latitude=Decimal("-12.060000"), longitude=Decimal("-77.040000"), **common
        ),
    }


def _import(**kwargs):
    return import_registry(data=FILE.read_bytes(), file_name=FILE.name, **kwargs)


def _found(report):
    """Row number -> {(existing record's number or "row N"): reasons}."""
    return {
        row.number: {
            (m.registry_number if m.row is None else f"row {number}"): m.reasons
            for m, number in zip(
                row.duplicates,
                [None if m.row is None else n for m, n in _rows(row)],
                strict=True,
            )
        }
        for row in report.rows
        if row.duplicates
    }


def _rows(row):
    numbers = iter(row.duplicate_rows)
    return [(m, next(numbers) if m.row is not None else None) for m in row.duplicates]


def test_a_name_is_compared_without_accents_case_punctuation_or_legal_form():
    assert duplicates.name_key("ASOCIACIÓN  Los Andes S.A.C.") == "andes"
    assert duplicates.name_key("Asociación de Los Andes") == "andes"
    assert duplicates.name_key("Arepera Doña Carmen E.I.R.L.") == "arepera dona carmen"
    assert duplicates.name_key("Arepera Doña Carmen") != duplicates.name_key("Arepera Don Carlos")
    assert duplicates.name_key("S.A.C.") == ""


def test_the_preview_shows_each_kind_of_near_duplicate_with_its_reason(existing):
    report = _import(dry_run=True)

    assert report.ok, report.as_dict()
    number = {kind: o.registry_number for kind, o in existing.items()}
    assert _found(report) == {
        2: {number["ruc"]: ["ruc"]},
        3: {number["phone"]: ["phone"]},
        4: {number["whatsapp"]: ["whatsapp"]},
        5: {number["name"]: ["name"]},  # row 6: the same name in another district is not one
        7: {number["place"]: ["nearby"]},  # row 8, 60 m away, is not one
        9: {"row 10": ["phone"]},
        10: {"row 9": ["phone"]},
    }
    nearby = next(r for r in report.rows if r.number == 7).duplicates[0]
    assert nearby.distance_m == 40
    assert report.duplicate_count == 7
    assert not DuplicateCandidate.objects.exists()  # a preview records nothing
    notes = dict(next(r for r in report.rows if r.number == 7).duplicate_notes())
    assert notes == {f"Bodega El Punto ({number['place']})": "40 m apart"}


def test_the_admin_preview_has_a_warning_column_and_the_import_still_applies(client, existing):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=REGISTRARS))
    client.force_login(user)
    upload = {"file": SimpleUploadedFile(FILE.name, FILE.read_bytes()), "publish": "0"}
    response = client.post(reverse("registry_importexport:import"), upload, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Likely duplicate of" in html
    assert "Same WhatsApp number" in html and "row 10 of this file" in html
    assert "Confirm and import" in html  # a warning, not an error


def test_committing_records_the_pairs_for_staff(existing):
    report = _import(user=None)

    assert report.applied, report.as_dict()
    created = {o.name: o.pk for o in Organization.objects.filter(pk__in=report.created_ids)}
    pairs = {
        frozenset((c.first_id, c.second_id)): c.reasons
        for c in DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN)
    }
    assert pairs == {
        frozenset((created["Pan Caliente Maracay"], existing["ruc"].pk)): ["ruc"],
        frozenset((created["Mecánica Rápida"], existing["phone"].pk)): ["phone"],
        frozenset((created["Costuras y Arreglos"], existing["whatsapp"].pk)): ["whatsapp"],
        frozenset((created["ASOCIACION  LOS ANDES S.A.C."], existing["name"].pk)): ["name"],
        frozenset((created["Heladería Polar"], existing["place"].pk)): ["nearby"],
        frozenset((created["Empanadas Doña Carmen"], created["Tequeños Express"])): ["phone"],
    }
    # The same file again: the pairs are known, nothing is recorded twice.
    assert duplicates.record([(created["Mecánica Rápida"], existing["phone"].pk, ["phone"], None)]) == 0


def test_the_same_ruc_in_another_municipality_is_named_only_as_such(carmen, client):
    elsewhere = PublishedOrganizationFactory(
        name="Panadería de Carmen", ruc="20601234565", municipality=carmen, registry_number="MCL-2026-000001"
    )
    lima_registrar = UserFactory(is_staff=True)
    lima_registrar.groups.add(
        MunicipalStaffGroup.objects.get(municipality=home_municipality(), role="registrars").group
    )

    report = _import(user=lima_registrar, publish=False)

    assert report.applied, report.as_dict()
    row = next(r for r in report.rows if r.number == 2)
    assert [(m.name, m.registry_number, m.reasons) for m in row.duplicates] == [("", "", ["ruc"])]
    assert row.duplicate_notes() == [("a record registered in another municipality", "Same RUC")]
    created = Organization.objects.get(name="Pan Caliente Maracay")
    assert DuplicateCandidate.objects.filter(first=min(created, elsewhere, key=lambda o: o.pk)).exists()

    client.force_login(lima_registrar)
    html = client.get(reverse("registry_review:detail", args=[created.pk])).content.decode()
    assert "Inscrito en otra municipalidad" in html  # the admin speaks Spanish
    assert elsewhere.name not in html and elsewhere.registry_number not in html
    assert "duplicate_merge" not in html and "/merge/" not in html  # two registries are never merged


@pytest.fixture
def submitted(application, applicant, django_capture_on_commit_callbacks):
    """An application sharing its phone and its name's district with a published record."""
    with django_capture_on_commit_callbacks(execute=True):
        review.submit_application(organization=application, user=applicant)
    application.refresh_from_db()
    return application


@pytest.fixture
def registered(demo_site):
    return PublishedOrganizationFactory(name="Arepera Registrada", phone="+51987654321", whatsapp="")


def test_submission_records_likely_duplicates_that_only_the_right_staff_see(
    registered, application, applicant, reviewer, carmen, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review.submit_application(organization=application, user=applicant)
    candidate = DuplicateCandidate.objects.get()
    assert {candidate.first_id, candidate.second_id} == {application.pk, registered.pk}
    assert candidate.reasons == ["phone", "whatsapp"]
    assert candidate.status == DuplicateCandidate.Status.OPEN

    detail = reverse("registry_review:detail", args=[application.pk])
    client.force_login(reviewer)
    html = client.get(detail).content.decode()
    assert "Posibles duplicados" in html and registered.name in html and "Mismo número de teléfono" in html
    assert "/merge/" not in html  # reviewers see; registrars decide

    carmen_staff = UserFactory(is_staff=True)
    carmen_staff.groups.add(MunicipalStaffGroup.objects.get(municipality=carmen, role="registrars").group)
    client.force_login(carmen_staff)
    assert client.get(detail).status_code == 404
    assert duplicates.candidates_for(application, user=carmen_staff) == []

    client.force_login(applicant)  # the applicant is not told about other people's records
    html = client.get(reverse("registry:application_detail", args=[application.pk])).content.decode()
    assert registered.name not in html and "duplicate" not in html.lower()


def _post(client, action, organization, candidate, **data):
    url = reverse(f"registry_review:duplicate_{action}", args=[organization.pk, candidate.pk])
    return client.post(url, data)


def test_merge_keeps_the_history_moves_documents_and_managers_and_redirects(
    registered, submitted, applicant, registrar, client
):
    registered.save_revision().publish()
    SupportingDocument.objects.create(
        organization=submitted,
        document_type="statute",
        original_name="estatuto.pdf",
        content_type="application/pdf",
        size=10,
        file="documents/x.pdf",
    )
    candidate = DuplicateCandidate.objects.get()
    revisions_before = submitted.revisions.count()

    client.force_login(registrar)
    response = _post(client, "merge", submitted, candidate, survivor=registered.pk, note="Misma arepera")
    assert response.status_code == 302

    candidate.refresh_from_db()
    submitted.refresh_from_db()
    assert candidate.status == DuplicateCandidate.Status.MERGED
    assert candidate.survivor == registered and candidate.decided_by == registrar
    assert submitted.status == ApplicationStatus.REJECTED and not submitted.live
    assert not WorkflowState.objects.active().filter(object_id=str(submitted.pk)).exists()
    assert submitted.revisions.count() == revisions_before  # its history stays
    assert registered.documents.filter(original_name="estatuto.pdf").exists()
    assert registered.memberships.filter(user=applicant).exists()
    for organization in (submitted, registered):
        entry = ModelLogEntry.objects.for_instance(organization).get(action=duplicates.MERGE)
        assert entry.data["survivor_id"] == registered.pk and entry.user == registrar
    assert ModelLogEntry.objects.for_instance(submitted).filter(action=review.SUBMIT).exists()
    assert duplicates.survivor_of(submitted) == registered
    # A record merged away is no longer compared.
    assert submitted.pk not in {m.organization_id for m in duplicates.find_for(registered)}


def test_merge_moves_steps_keeping_the_further_one_invitations_and_the_other_open_pairs(registrar, demo_site):
    kept = PublishedOrganizationFactory(name="Arepera Uno", phone="+51999000111", whatsapp="")
    gone = PublishedOrganizationFactory(name="Arepera Dos", phone="+51999000111", whatsapp="")
    third = PublishedOrganizationFactory(name="Arepera Tres", phone="+51999000111", whatsapp="")
    fourth = PublishedOrganizationFactory(name="Arepera Cuatro", phone="+51999000111", whatsapp="")
    ruc, licence, itse = FormalizationStep.objects.filter(municipality=None).order_by("sort_order")[:3]
    document = SupportingDocument.objects.create(
        organization=gone, document_type="statute", original_name="ruc.pdf", size=1, file="documents/r.pdf"
    )
    # The survivor lacks `ruc`, is less far along `licence` and further along `itse`.
    OrganizationStep.objects.create(
        organization=gone,
        step=ruc,
        status=StepStatus.VERIFIED,
        evidence_number="20601234565",
        evidence_document=document,
        verified_by=registrar,
    )
    OrganizationStep.objects.create(
        organization=kept, step=licence, status=StepStatus.IN_PROGRESS, evidence_number="L-1"
    )
    OrganizationStep.objects.create(
        organization=gone, step=licence, status=StepStatus.DONE, evidence_number="L-2"
    )
    OrganizationStep.objects.create(
        organization=kept, step=itse, status=StepStatus.VERIFIED, evidence_number="I-1"
    )
    OrganizationStep.objects.create(
        organization=gone, step=itse, status=StepStatus.DONE, evidence_number="I-2"
    )
    open_invitation = OrganizationInvitation.objects.create(organization=gone, email="socia@example.org")
    accepted = OrganizationInvitation.objects.create(
        organization=gone, email="ya@example.org", accepted_at=timezone.now()
    )
    pair = DuplicateCandidate.objects.create(first=kept, second=gone, reasons=["phone"])
    follows = DuplicateCandidate.objects.create(first=gone, second=third, reasons=["phone"])
    repeats = DuplicateCandidate.objects.create(first=gone, second=fourth, reasons=["phone"])
    DuplicateCandidate.objects.create(first=kept, second=fourth, reasons=["phone"], status="dismissed")

    duplicates.merge(candidate=pair, user=registrar, survivor_id=kept.pk)

    steps = {s.step_id: s for s in kept.steps.all()}
    assert steps[ruc.pk].status == StepStatus.VERIFIED and steps[ruc.pk].evidence_document == document
    assert steps[ruc.pk].verified_by == registrar
    assert (steps[licence.pk].status, steps[licence.pk].evidence_number) == (StepStatus.DONE, "L-2")
    assert (steps[itse.pk].status, steps[itse.pk].evidence_number) == (StepStatus.VERIFIED, "I-1")
    # The merged record keeps its own record of the steps it did not give away.
    assert set(gone.steps.values_list("step_id", flat=True)) == {licence.pk, itse.pk}
    open_invitation.refresh_from_db()
    accepted.refresh_from_db()
    assert open_invitation.organization == kept and accepted.organization == gone
    follows.refresh_from_db()
    assert (follows.first_id, follows.second_id, follows.status) == (kept.pk, third.pk, "open")
    repeats.refresh_from_db()
    assert repeats.status == "dismissed" and repeats.note and repeats.decided_by == registrar
    assert (repeats.first_id, repeats.second_id) == (gone.pk, fourth.pk)

    data = ModelLogEntry.objects.for_instance(kept).get(action=duplicates.MERGE).data
    assert data["invitations"] == 1
    assert {(c["step"], c["moved"]) for c in data["steps"]} == {(ruc.code, True), (licence.code, False)}
    replaced = next(c for c in data["steps"] if c["step"] == licence.code)["replaced"]
    assert (replaced["status"], replaced["evidence_number"]) == (StepStatus.IN_PROGRESS, "L-1")
    assert {(p["candidate"], p["closed"]) for p in data["pairs"]} == {(follows.pk, False), (repeats.pk, True)}


def test_a_merged_registration_leads_to_the_survivor_on_verify_and_in_the_directory(
    registrar, client, demo_site
):
    kept = PublishedOrganizationFactory(name="Barbería Caracas", phone="+51999111222", whatsapp="")
    gone = PublishedOrganizationFactory(name="Barberia Caracas", phone="+51999111222", whatsapp="")
    gone.save_revision().publish()
    duplicates.record_for(gone)
    candidate = DuplicateCandidate.objects.get()
    duplicates.merge(candidate=candidate, user=registrar, survivor_id=kept.pk)

    gone.refresh_from_db()
    assert not gone.live and gone.status == ApplicationStatus.APPROVED and gone.registry_number
    response = client.get(reverse("registry:verify", args=[gone.registry_number]))
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:verify", args=[kept.registry_number])
    response = client.get(f"/directorio/{gone.slug}/")
    assert response.status_code == 302 and response["Location"].endswith(f"/{kept.slug}/")


def test_link_and_dismiss_keep_both_records_and_are_logged(registered, submitted, registrar, client):
    candidate = DuplicateCandidate.objects.get()
    client.force_login(registrar)
    _post(client, "link", submitted, candidate)
    candidate.refresh_from_db()
    assert candidate.status == DuplicateCandidate.Status.LINKED and candidate.decided_at
    assert ModelLogEntry.objects.for_instance(registered).filter(action=duplicates.LINK).exists()
    response = _post(client, "dismiss", submitted, candidate)  # decided already
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == DuplicateCandidate.Status.LINKED

    other = PublishedOrganizationFactory(name="Otra Arepera", phone="+51987654321", whatsapp="")
    duplicates.record_for(other)
    second = DuplicateCandidate.objects.get(status=DuplicateCandidate.Status.OPEN, first=registered)
    duplicates.dismiss(candidate=second, user=registrar, note="Otra dueña")
    second.refresh_from_db()
    assert second.status == DuplicateCandidate.Status.DISMISSED
    assert (
        ModelLogEntry.objects.for_instance(other).get(action=duplicates.DISMISS).data["note"] == "Otra dueña"
    )
    # Found again, a dismissed pair stays dismissed.
    duplicates.record_for(other)
    second.refresh_from_db()
    assert second.status == DuplicateCandidate.Status.DISMISSED
    assert Organization.objects.filter(pk__in=[registered.pk, submitted.pk, other.pk]).count() == 3


def test_outsiders_can_neither_see_nor_decide(registered, submitted, applicant, reviewer, carmen, client):
    candidate = DuplicateCandidate.objects.get()
    carmen_registrar = UserFactory(is_staff=True)
    carmen_registrar.groups.add(MunicipalStaffGroup.objects.get(municipality=carmen, role="registrars").group)
    for user in (None, applicant, carmen_registrar, reviewer):
        client.logout()
        if user is not None:
            client.force_login(user)
        for action, data in (("merge", {"survivor": registered.pk}), ("link", {}), ("dismiss", {})):
            response = _post(client, action, submitted, candidate, **data)
            assert response.status_code in {302, 403, 404}
            candidate.refresh_from_db()
            assert candidate.status == DuplicateCandidate.Status.OPEN, (user, action)
        if user is not None and user != reviewer:
            assert duplicates.candidates_for(submitted, user=user) == []
    with pytest.raises(duplicates.DuplicateNotAllowed):
        duplicates.merge(candidate=candidate, user=carmen_registrar, survivor_id=registered.pk)
    with pytest.raises(duplicates.DuplicateNotAllowed):
        duplicates.merge(candidate=candidate, user=applicant, survivor_id=registered.pk)
    assert not duplicates.can("merge", user=reviewer, candidate=candidate)
    assert Group.objects.get(name=REVIEWERS)  # the reviewers' group exists and still may not decide


def test_rows_sharing_a_number_with_a_record_are_paired_with_it_once(existing):
    """Three rows with the phone of one record: the first row is paired with the record, the
    others with the first row (through which staff reach the record), not each with the record;
    the preview still names the record on every row."""
    header, mechanic = FILE.read_text(encoding="utf-8").splitlines()[:3:2]
    rows = [mechanic.replace("Mecánica Rápida", name) for name in ("Motos Uno", "Motos Dos", "Motos Tres")]
    report = import_registry(data="\n".join([header, *rows]).encode(), file_name="three.csv", user=None)

    assert report.applied, report.as_dict()
    assert all(existing["phone"].registry_number in _found(report)[n] for n in (2, 3, 4))  # the preview
    created = {o.name: o.pk for o in Organization.objects.filter(pk__in=report.created_ids)}
    pairs = {frozenset((c.first_id, c.second_id)): c.reasons for c in DuplicateCandidate.objects.all()}
    assert pairs == {
        frozenset((created["Motos Uno"], existing["phone"].pk)): ["phone"],
        frozenset((created["Motos Dos"], created["Motos Uno"])): ["phone"],
        frozenset((created["Motos Tres"], created["Motos Uno"])): ["phone"],
    }
