"""A catalogue of hostile and broken input, sent through the real views: every case gets a 4xx
with a clear message (never a 500), and the database is left as it was.

Injection strings are sent where they are invalid (ids, phones, RUCs, choices). In free text
(a business name) they are ordinary text: stored as typed and shown escaped, which
test_text_is_stored_verbatim_and_rendered_escaped checks."""

import pytest
from django.urls import reverse

from registry.models import Organization, Person, SupportingDocument
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

SQL = "1' OR '1'='1'; DROP TABLE registry_organization; --"
TEMPLATE = "{{ settings.SECRET_KEY }}{% debug %}${7*7}"
RTL_EMOJI = "\u202e\u0623\u0631\u064a\u0628\u0627 🫓🇻🇪"  # RLO + "arepa" in Arabic script


@pytest.fixture
def setup(client):
    applicant = UserFactory(username="ana")
    organization = OrganizationFactory(owner=applicant)
    client.force_login(applicant)
    return organization


def snapshot():
    return (
        list(Organization.objects.order_by("pk").values()),
        list(Person.objects.order_by("pk").values()),
        SupportingDocument.objects.count(),
    )


def basics(**changes):
    data = {
        "kind": "business",
        "legal_form": "informal",
        "name": "Arepera",
        "sector": "1",
        "languages": ["es"],
    }
    data.update(changes)
    return data


CASES = {
    "name of 5,000 characters": ("new", basics(name="A" * 5000), "at most 200 characters"),
    "null byte in the name": ("new", basics(name="Arepera\x00"), "Null characters are not allowed"),
    "sql in the sector id": ("new", basics(sector=SQL), "Select a valid choice"),
    "template code in a choice": ("new", basics(kind=TEMPLATE), "Select a valid choice"),
    "rtl and emoji as legal form": ("new", basics(legal_form=RTL_EMOJI), "Select a valid choice"),
    "sql in the phone": ("contacto", {"district": "1", "phone": SQL}, "Enter a valid phone number"),
    "letters as a phone": (
        "contacto",
        {"district": "1", "phone": "uno dos tres"},
        "Enter a valid phone number",
    ),
    "sql in the district": ("contacto", {"district": SQL, "phone": "987654321"}, "Select a valid choice"),
    "template code in the e-mail": ("contacto", {"district": "1", "email": TEMPLATE}, "Enter a valid email"),
    "latitude outside Peru": (
        "contacto",
        {"district": "1", "phone": "987654321", "latitude": "40.4", "longitude": "-3.7"},
        "outside Peru",
    ),
    "latitude of 10,000 digits": (
        "contacto",
        {"district": "1", "phone": "987654321", "latitude": "9" * 10000, "longitude": "1"},
        "Ensure that there are no more than",
    ),
    "a time that is not a time": (
        "contacto",
        {"district": "1", "phone": "987654321", "opens_mon": "25:99", "closes_mon": "'; --"},
        "Enter a valid time",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_form_input(client, setup, case):
    step, data, message = CASES[case]
    url = (
        reverse("registry:application_new")
        if step == "new"
        else reverse("registry:wizard", args=[setup.pk, step])
    )
    before = snapshot()
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, case
    assert message in response.content.decode(), case
    assert snapshot() == before


def test_oversized_body(client, setup):
    before = snapshot()
    response = client.post(
        reverse("registry:wizard", args=[setup.pk, "organizacion"]),
        {"name": "x", "description": "y" * 3_000_000},
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_wrong_content_type(client, setup):
    before = snapshot()
    response = client.generic(
        "POST",
        reverse("registry:wizard", args=[setup.pk, "contacto"]),
        b'{"district": 1, "phone": "987654321"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert snapshot() == before


def multipart(filename: bytes, content: bytes, boundary="BoUnDaRy") -> bytes:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="upload"\r\n\r\n1\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="document_type"\r\n\r\nidentity\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'
    ).encode()
    return (
        head
        + filename
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        (
            b"dni.pdf",
            b"\xff\xfe\xfd not utf-8 and not a pdf \xc3\x28",
            "Only PDF, JPEG or PNG files are accepted",
        ),
        (b"dni\xff\xfe.pdf", b"%PDF-1.4 \xff\xfe", "This field is required"),
    ],
    ids=["invalid utf-8 content", "invalid utf-8 file name"],
)
def test_invalid_utf8_in_an_upload(client, setup, filename, content, message):
    before = snapshot()
    response = client.generic(
        "POST",
        reverse("registry:wizard", args=[setup.pk, "documentos"]),
        multipart(filename, content),
        content_type="multipart/form-data; boundary=BoUnDaRy",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


def test_invalid_utf8_and_injection_in_the_query_string(client):
    response = client.get(
        "/empezar/?kind=%FF%FE&legal_form=%27%20OR%201%3D1&migration_document=%00&has_ruc=yes"
    )
    assert response.status_code == 400


def test_garbage_ids_in_urls_are_404_not_500(client, setup):
    for url in [
        "/mis-registros/99999999999999999999/",
        f"/mis-registros/{setup.pk}/paso/..%2F..%2Fetc/",
        f"/mis-registros/{setup.pk}/documentos/0/",
        "/verify/%27%20OR%201=1/",
    ]:
        assert client.get(url).status_code in (302, 404), url


@pytest.mark.parametrize(
    "url", ["/invitacion/%00/", "/verify/RMO%00/", "/api/v1/directory/?q=arepa%00", "/directorio/?q=%00"]
)
def test_null_bytes_in_urls_are_refused_before_any_query(client, url):
    from django.utils import translation
    from django.utils.translation import gettext

    response = client.get(url)
    assert response.status_code == 400
    with translation.override("es"):  # refused before the language is chosen: the site's default
        assert response.content.decode() == gettext("Null characters are not allowed.")


def test_text_is_stored_verbatim_and_rendered_escaped(client, setup):
    from registry.models import Sector

    name = f"<script>alert(1)</script> {TEMPLATE} {SQL[:40]} {RTL_EMOJI}"[:200]
    response = client.post(
        reverse("registry:application_new"), basics(name=name, sector=Sector.objects.first().pk)
    )
    assert response.status_code == 302
    organization = Organization.objects.get(name=" ".join(name.split()))
    html = client.get(reverse("registry:application_detail", args=[organization.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ settings.SECRET_KEY }}" in html  # shown, not evaluated
    assert Organization.objects.count() == 2  # nothing dropped
