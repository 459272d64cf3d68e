"""After its first submission a registration is a record: every change the applicant makes
(basics, people, documents) is a proposal that leaves /verify/, the certificate, the API and the
directory as staff approved them until a registrar approves it, through the real wizard views."""

import json

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from registry.formalization import ensure_organization_steps
from registry.models import ApplicationStatus, Organization, Person, PersonRole, StepStatus
from registry.services import applications, review
from tests.registry import upload_files as files

from . import test_review_support as support

applicant, reviewer, registrar = support.applicant, support.reviewer, support.registrar

pytestmark = pytest.mark.django_db

NEW_NAME = "Clínica autorizada por el MINSA"


@pytest.fixture
def listing(applicant, reviewer, registrar, django_capture_on_commit_callbacks):
    """An approved, listed registration whose migration-document step staff verified against an
    uploaded identity document."""
    organization = support.complete_application(applicant, name="Arepera Doña María")
    ensure_organization_steps(organization)
    applications.add_document(
        organization=organization, user=applicant, uploaded=files.pdf(), document_type="identity"
    )
    with django_capture_on_commit_callbacks(execute=True):
        review.submit_application(organization=organization, user=applicant)
        review.approve(organization=organization, user=reviewer)
        review.approve(organization=organization, user=registrar)
        step = organization.steps.get(step__code="documento-migratorio")
        review.verify_step(organization=organization, user=reviewer, step=step)
    organization.refresh_from_db()
    assert organization.is_published
    return organization


def _make(state, listing, registrar, capture):
    with capture(execute=True):
        if state == "suspended":
            review.suspend(organization=listing, user=registrar, reason="Queja de un vecino")
        elif state == "unpublished":
            # Name kept public while withdrawn, so /verify/ shows the approved change below (by
            # default a withdrawn registration shows its status only: test_verify_abuse.py).
            review.unpublish(
                organization=listing, user=registrar, reason="Datos por confirmar", details_public=True
            )
    listing.refresh_from_db()
    return listing


def public_views(client, organization):
    """What the public can read about this registration, page by page."""
    number = organization.registry_number
    return {
        "verify": client.get(reverse("registry:verify", args=[number])).content.decode(),
        "certificate": client.get(
            reverse("registry:certificate", args=[number]), follow=True
        ).content.decode(),
        "api": json.dumps(client.get(f"/api/v1/directory/{number}/").json(), ensure_ascii=False),
        "directory": json.dumps(
            client.get("/api/v1/directory/", {"q": "Clínica"}).json(), ensure_ascii=False
        ),
    }


def basics(organization, **changes):
    data = {
        "kind": organization.kind,
        "legal_form": organization.legal_form,
        "name": organization.name,
        "sector": organization.sector_id,
        "short_description": organization.short_description,
        "description": organization.description,
        "services": "\n".join(organization.services),
        "languages": organization.languages,
        "founded_year": "",
    }
    data.update(changes)
    return data


def people(organization, *, representative):
    """The people step's POST: the current people removed, one new representative added."""
    current = list(organization.people.all())
    data = {
        "people-TOTAL_FORMS": str(len(current) + 1),
        "people-INITIAL_FORMS": str(len(current)),
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "40",
    }
    for index, person in enumerate(current):
        data.update(
            {
                f"people-{index}-id": str(person.pk),
                f"people-{index}-role": person.role,
                f"people-{index}-full_name": person.full_name,
                f"people-{index}-document_type": person.document_type,
                f"people-{index}-document_number": person.document_number,
                f"people-{index}-DELETE": "on",
            }
        )
    new = len(current)
    data.update(
        {
            f"people-{new}-id": "",
            f"people-{new}-role": PersonRole.REPRESENTATIVE,
            f"people-{new}-full_name": representative,
            f"people-{new}-document_type": "none",
            f"people-{new}-document_number": "",
        }
    )
    return data


@pytest.mark.parametrize("state", ["approved", "unpublished", "suspended"])
def test_changes_wait_for_a_registrar_and_then_show(
    state, client, listing, applicant, reviewer, registrar, django_capture_on_commit_callbacks
):
    listing = _make(state, listing, registrar, django_capture_on_commit_callbacks)
    before = public_views(client, listing)
    old_name = listing.name
    identity = listing.documents.get()
    representative = listing.people.get(role=PersonRole.REPRESENTATIVE)

    client.force_login(applicant)
    wizard = lambda step: reverse("registry:wizard", args=[listing.pk, step])  # noqa: E731
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(wizard("organizacion"), basics(listing, name=NEW_NAME)).status_code == 302
        response = client.post(wizard("personas"), people(listing, representative="Otra Persona"))
        assert response.status_code == 302
        response = client.post(reverse("registry:document_delete", args=[listing.pk, identity.pk]))
        assert response.status_code == 302
    client.logout()

    # Nothing on the record moved: the row, its people, its documents and the verified step.
    listing.refresh_from_db()
    assert listing.name == old_name
    assert list(listing.people.values_list("pk", flat=True)) == [representative.pk]
    assert list(listing.documents.values_list("pk", flat=True)) == [identity.pk]
    step = listing.steps.get(step__code="documento-migratorio")
    assert step.status == StepStatus.VERIFIED and step.evidence_document_id == identity.pk
    assert public_views(client, listing) == before
    # The applicant sees what is pending.
    client.force_login(applicant)
    page = client.get(reverse("registry:wizard", args=[listing.pk, "documentos"])).content.decode()
    assert "Removal proposed" in page or "Retiro propuesto" in page
    detail = client.get(reverse("registry:application_detail", args=[listing.pk])).content.decode()
    assert NEW_NAME in detail

    # Sent and approved by both staff groups: now every public output says the new name.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(wizard("revision"), {"consent": "on"})
        assert response.status_code == 302, response.content.decode()[:2000]
        client.logout()
        # The reviewer sees the proposal: the new representative, the document to be removed.
        client.force_login(reviewer)
        screen = client.get(reverse("registry_review:detail", args=[listing.pk])).content.decode()
        assert "Otra Persona" in screen and NEW_NAME in screen
        assert "Proposed for removal" in screen or "Propuestos para retiro" in screen
        client.logout()
        review.approve(organization=listing, user=reviewer)
        review.approve(organization=listing, user=registrar)
    listing.refresh_from_db()
    assert listing.name == NEW_NAME
    assert listing.status == (
        ApplicationStatus.SUSPENDED if state == "suspended" else ApplicationStatus.APPROVED
    )
    assert listing.live == (state != "unpublished"), "approving changes never re-lists an unpublished listing"
    assert [p.full_name for p in listing.people.all()] == ["Otra Persona"]
    assert not listing.documents.exists()
    step = listing.steps.get(step__code="documento-migratorio")
    assert step.status != StepStatus.VERIFIED and step.evidence_document_id is None

    after = public_views(client, listing)
    assert NEW_NAME in after["verify"]
    if state == "approved":
        assert (
            NEW_NAME in after["certificate"] and NEW_NAME in after["api"] and NEW_NAME in after["directory"]
        )
    else:
        assert NEW_NAME not in after["api"] and NEW_NAME not in after["directory"]
    # On the record: a revision and an audit entry with the public change.
    entry = ModelLogEntry.objects.for_instance(listing).filter(action=review.APPROVE_CHANGES).get()
    assert entry.data["public_changes"]["name"] == [old_name, NEW_NAME]
    assert entry.revision_id == listing.live_revision_id or state == "unpublished"


def test_a_document_added_to_a_registration_waits_for_review(client, listing, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("registry:wizard", args=[listing.pk, "documentos"]),
        {"upload": "1", "document_type": "licence", "file": files.pdf(), "description": ""},
    )
    assert response.status_code == 302
    added = listing.documents.get(document_type="licence")
    assert added.proposed, "stored for staff to read, not yet on the record"
    page = client.get(reverse("registry:wizard", args=[listing.pk, "documentos"])).content.decode()
    assert "awaiting review" in page or "en revisión" in page
    # Its owner can read it; removing it before it was accepted deletes it at once.
    assert client.get(reverse("registry:document_download", args=[listing.pk, added.pk])).status_code == 200
    client.post(reverse("registry:document_delete", args=[listing.pk, added.pk]))
    assert not listing.documents.filter(pk=added.pk).exists()


def test_a_never_submitted_draft_is_written_directly(client, applicant, demo_site):
    draft = support.complete_application(applicant, name="Bodega Inicial")
    client.force_login(applicant)
    response = client.post(
        reverse("registry:wizard", args=[draft.pk, "organizacion"]), basics(draft, name="Bodega Nueva")
    )
    assert response.status_code == 302
    assert Organization.objects.get(pk=draft.pk).name == "Bodega Nueva"


def test_a_step_of_another_organization_is_refused_with_a_message(client, listing, applicant, demo_site):
    other = support.complete_application(support.UserFactory(username="otro"), name="Otra")
    ensure_organization_steps(other)
    foreign = other.steps.first()
    draft = support.complete_application(applicant, name="Mi borrador")
    ensure_organization_steps(draft)
    client.force_login(applicant)
    own = list(draft.steps.all())
    data = {"steps-TOTAL_FORMS": str(len(own)), "steps-INITIAL_FORMS": str(len(own))}
    for index, row in enumerate(own):
        data.update({f"steps-{index}-id": str(row.pk), f"steps-{index}-status": "done"})
    data["steps-0-id"] = str(foreign.pk)
    response = client.post(reverse("registry:wizard", args=[draft.pk, "formalizacion"]), data)
    assert response.status_code == 400
    assert (
        "not part of this application" in response.content.decode()
        or "no es parte" in response.content.decode()
    )
    foreign.refresh_from_db()
    assert foreign.status != StepStatus.DONE or foreign.organization_id == other.pk
    assert Person.objects.filter(organization=other).count() == 1
