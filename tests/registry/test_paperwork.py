"""The paperwork drafted from an organization's data: what the PDF and the DOCX say, the texts
staff edit (and what they may not write), the preview, and who may download the drafts."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from registry.models import (
    ApplicationStatus,
    Kind,
    LegalForm,
    MunicipalStaffGroup,
    Organization,
    PaperworkDraft,
    PaperworkKind,
    PaperworkTemplate,
    PersonRole,
    home_municipality,
)
from registry.services.paperwork import prepare_paperwork
from registry.services.retention import purge_expired_documents
from tests.factories import OrganizationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

REPRESENTATIVE = ("Ana María Rojas Pérez", "cpp", "001122334")
BOARD = [
    ("Presidente", "Luis Alberto Gómez Díaz", "ce", "000998877"),
    ("Secretaria", "Rosa Quispe Huamán", "dni", "45678912"),
    ("Tesorero", "Pedro Silva Mora", "passport", "X1234567"),
]
MEMBER = ("Yelitza Campos Ferrer", "ptp", "PTP7788990")


@pytest.fixture
def association(applicant):
    organization = OrganizationFactory(
        owner=applicant,
        kind=Kind.ORGANIZATION,
        legal_form=LegalForm.ASSOCIATION,
        name="Asociación Manos Unidas del Callao",
        address="Jr. Los Olivos 456",
        description="Apoyar a las familias migrantes con orientación legal y talleres.",
    )
    name, doc_type, number = REPRESENTATIVE
    PersonFactory(
        organization=organization,
        role=PersonRole.REPRESENTATIVE,
        full_name=name,
        document_type=doc_type,
        document_number=number,
    )
    for order, (position, name, doc_type, number) in enumerate(BOARD, start=1):
        PersonFactory(
            organization=organization,
            role=PersonRole.BOARD_MEMBER,
            position=position,
            full_name=name,
            document_type=doc_type,
            document_number=number,
            sort_order=order,
        )
    name, doc_type, number = MEMBER
    PersonFactory(
        organization=organization,
        role=PersonRole.MEMBER,
        full_name=name,
        document_type=doc_type,
        document_number=number,
        sort_order=9,
    )
    return organization


def _read(field) -> io.BytesIO:
    """A stored file's bytes (or bytes already read)."""
    if isinstance(field, io.BytesIO):
        return field
    with field.open("rb") as stored:
        return io.BytesIO(stored.read())


def _pdf_text(field) -> str:
    reader = PdfReader(_read(field))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _docx_text(field) -> str:
    document = Document(_read(field))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return " ".join(" ".join(parts).split())


def _drafts(organization) -> dict[str, PaperworkDraft]:
    return {d.kind: d for d in PaperworkDraft.objects.filter(organization=organization)}


def test_the_drafts_hold_the_organizations_data_in_pdf_and_docx(client, association, applicant):
    client.force_login(applicant)
    response = client.post(reverse("registry:paperwork_prepare", args=[association.pk]))
    assert response.status_code == 302
    drafts = _drafts(association)
    assert set(drafts) == {
        PaperworkKind.APPLICATION_LETTER,
        PaperworkKind.FOUNDING_MINUTES,
        PaperworkKind.MEMBER_LIST,
        PaperworkKind.STATUTE,
    }
    municipality = association.municipality.name
    everyone = [REPRESENTATIVE[0], *(b[1] for b in BOARD), MEMBER[0]]
    numbers = [REPRESENTATIVE[2], *(b[3] for b in BOARD), MEMBER[2]]
    for read, file_format in ((_pdf_text, "pdf"), (_docx_text, "docx")):

        def file_of(draft, file_format=file_format):
            return getattr(draft, file_format)

        letter = read(file_of(drafts[PaperworkKind.APPLICATION_LETTER]))
        assert association.name in letter and REPRESENTATIVE[0] in letter and municipality in letter
        assert f"CPP N.º {REPRESENTATIVE[2]}" in letter
        members = read(file_of(drafts[PaperworkKind.MEMBER_LIST]))
        assert association.name in members and "Firma" in members
        for name, number in zip(everyone, numbers, strict=True):
            assert name in members and number in members, (file_format, name)
        minutes = read(file_of(drafts[PaperworkKind.FOUNDING_MINUTES]))
        assert "Acta de fundación" in minutes
        for position, name, _type, number in BOARD:
            assert position in minutes and name in minutes and number in minutes
        statute = read(file_of(drafts[PaperworkKind.STATUTE]))
        assert association.name in statute and "Jr. Los Olivos 456" in statute
        assert "orientación legal" in statute and "asamblea general" in statute.lower()

    page = client.get(reverse("registry:application_detail", args=[association.pk])).content.decode()
    pdf_url = reverse("registry:paperwork_download", args=[association.pk, drafts["member_list"].pk, "pdf"])
    assert pdf_url in page and "Preparar mis documentos" in page


def test_preparing_again_replaces_the_drafts_and_their_files(
    association, applicant, django_capture_on_commit_callbacks
):
    prepare_paperwork(organization=association, user=applicant)
    first = _drafts(association)[PaperworkKind.MEMBER_LIST]
    old_name, storage = first.pdf.name, first.pdf.storage
    association.people.filter(role=PersonRole.MEMBER).update(full_name="Nuevo Miembro Tardío")
    with django_capture_on_commit_callbacks(execute=True):
        prepare_paperwork(organization=association, user=applicant)
    assert PaperworkDraft.objects.filter(organization=association).count() == 4
    again = _drafts(association)[PaperworkKind.MEMBER_LIST]
    assert again.pk == first.pk and again.pdf.name != old_name
    assert not storage.exists(old_name)
    assert "Nuevo Miembro Tardío" in _pdf_text(again.pdf)


def test_an_inscribed_organization_gets_the_minutes_of_its_boards_election(association, applicant):
    prepare_paperwork(organization=association, user=applicant)
    Organization.objects.filter(pk=association.pk).update(sunarp_partida="11223344")
    prepare_paperwork(organization=association, user=applicant)
    drafts = _drafts(association)
    assert PaperworkKind.FOUNDING_MINUTES not in drafts
    text = _pdf_text(drafts[PaperworkKind.BOARD_MINUTES].pdf)
    assert "elección del consejo directivo" in text and "11223344" in text


def test_a_business_is_not_offered_paperwork(client, draft, applicant):
    client.force_login(applicant)
    client.post(reverse("registry:paperwork_prepare", args=[draft.pk]))
    assert not PaperworkDraft.objects.filter(organization=draft).exists()
    page = client.get(reverse("registry:application_detail", args=[draft.pk])).content.decode()
    assert "Preparar mis documentos" not in page


def test_a_municipalitys_own_text_changes_its_drafts(association, applicant):
    PaperworkTemplate.objects.create(
        kind=PaperworkKind.APPLICATION_LETTER,
        municipality=association.municipality,
        title="Carta a $municipalidad_corta",
        body="Texto propio de la municipalidad para $nombre.\n\n$miembros",
    )
    prepare_paperwork(organization=association, user=applicant)
    letter = _drafts(association)[PaperworkKind.APPLICATION_LETTER]
    text = _pdf_text(letter.pdf)
    assert f"Texto propio de la municipalidad para {association.name}." in text
    assert MEMBER[2] in text  # the table placeholder became the member table
    assert letter.title == f"Carta a {association.municipality.short_name}"


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", email="admin@example.org", is_superuser=True, is_staff=True)


def test_an_unknown_placeholder_is_refused_with_a_clear_message(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("wagtailsnippets_registry_paperworktemplate:add"),
        {"kind": "statute", "municipality": "", "title": "Estatuto", "body": "De $nombre y $presidenta."},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Marcador desconocido: $presidenta" in html
    assert not PaperworkTemplate.objects.filter(title="Estatuto").exists()

    default = PaperworkTemplate.objects.get(kind="statute", municipality=None)
    default.body = "Pago de 50 $ soles"
    with pytest.raises(Exception, match="marcador"):
        default.full_clean()


def test_the_preview_fills_a_template_with_a_fictional_organization(client, superuser, association):
    template = PaperworkTemplate.objects.get(kind="member_list", municipality=None)
    client.force_login(superuser)
    url = reverse("wagtailsnippets_registry_paperworktemplate:preview_on_edit", args=[template.pk])
    data = {"kind": "member_list", "municipality": "", "title": template.title, "body": template.body}
    assert client.post(url, data).json()["is_valid"]
    html = client.get(url).content.decode()
    assert "Asociación de Ejemplo Manos Unidas" in html and "Carmen Quispe Huamán" in html
    assert association.name not in html and MEMBER[2] not in html
    pdf = client.get(url, {"mode": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def _staff(municipality, username):
    user = UserFactory(username=username, email=f"{username}@example.org")
    user.groups.add(MunicipalStaffGroup.objects.get(municipality=municipality, role="reviewers").group)
    return user


def test_only_managers_and_the_serving_staff_download_the_drafts(
    client, association, applicant, other_applicant, carmen
):
    prepare_paperwork(organization=association, user=applicant)
    Organization.objects.filter(pk=association.pk).update(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    member_list = _drafts(association)[PaperworkKind.MEMBER_LIST]
    urls = [
        reverse("registry:paperwork_download", args=[association.pk, member_list.pk, fmt])
        for fmt in ("pdf", "docx")
    ]
    number = MEMBER[2].encode()  # the pages refusing the file must not hold it either

    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for outsider in (other_applicant, _staff(carmen, "revisor-carmen")):
        client.force_login(outsider)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404 and number not in response.content

    lima_reviewer = _staff(home_municipality(), "revisor-lima")
    for user in (applicant, lima_reviewer):
        client.force_login(user)
        for url, content_type in zip(urls, ("application/pdf", "wordprocessingml"), strict=True):
            response = client.get(url)
            assert response.status_code == 200 and content_type in response["Content-Type"]
            assert {"private", "no-store"} <= set(response["Cache-Control"].replace(",", " ").split())
            assert "attachment" in response["Content-Disposition"]
            content = io.BytesIO(b"".join(response.streaming_content))
            text = _pdf_text(content) if url.endswith("pdf") else _docx_text(content)
            assert MEMBER[2] in text

    review = client.get(reverse("registry_review:detail", args=[association.pk])).content.decode()
    assert urls[0] in review


def test_drafts_go_with_the_documents_of_a_rejected_application(association, applicant):
    prepare_paperwork(organization=association, user=applicant)
    names = [f.name for d in PaperworkDraft.objects.filter(organization=association) for f in d.files()]
    Organization.objects.filter(pk=association.pk).update(
        status=ApplicationStatus.REJECTED, decided_at=timezone.now() - timedelta(days=4000)
    )
    purge_expired_documents()
    assert not PaperworkDraft.objects.filter(organization=association).exists()
    storage = PaperworkDraft._meta.get_field("pdf").storage
    assert names and not any(storage.exists(name) for name in names)


def test_a_municipalitys_editors_write_only_their_own_texts(client, carmen):
    editor = UserFactory(username="editora-carmen", email="editora@example.org")
    editor.groups.add(MunicipalStaffGroup.objects.get(municipality=carmen, role="editors").group)
    lima_text = PaperworkTemplate.objects.create(
        kind="statute", municipality=home_municipality(), title="Estatuto de Lima", body="Texto de Lima."
    )
    client.force_login(editor)
    listing = client.get(reverse("wagtailsnippets_registry_paperworktemplate:list")).content.decode()
    assert "Estatuto de $nombre" in listing and "Estatuto de Lima" not in listing

    add = reverse("wagtailsnippets_registry_paperworktemplate:add")
    data = {"kind": "statute", "title": "Estatuto de Carmen", "body": "Estatuto de $nombre en Carmen."}
    client.post(add, {**data, "municipality": ""})
    assert not PaperworkTemplate.objects.filter(title="Estatuto de Carmen").exists()
    client.post(add, {**data, "municipality": carmen.pk})
    assert PaperworkTemplate.objects.get(title="Estatuto de Carmen").municipality == carmen

    default = PaperworkTemplate.objects.get(kind="statute", municipality=None)
    for template in (default, lima_text):
        edit = reverse("wagtailsnippets_registry_paperworktemplate:edit", args=[template.pk])
        client.post(
            edit, {"kind": "statute", "municipality": carmen.pk, "title": "Cambiado", "body": "Cambiado."}
        )
        template.refresh_from_db()
        assert template.title != "Cambiado"
