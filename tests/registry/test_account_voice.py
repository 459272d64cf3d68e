"""The account pages and e-mails (django-allauth) speak like the rest of the portal: Spanish with
"tú", no username (accounts are by e-mail), signed by the portal's name, links to where it runs."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Usted forms that a "tú" text never needs: a precise list rather than every "su", which is also
# the third person ("la organización y su representante").
USTED = re.compile(
    r"\b(usted(es)?|confirme|introduzca|haga clic|escriba su|ingrese su|verifique|compruebe|"
    r"inténtelo|utilice|vete a|de parte de)\b",
    re.IGNORECASE,
)
# In the account texts, which only ever address the applicant, any "su"/"sus" is "usted".
SU = re.compile(r"\b(su|sus)\b", re.IGNORECASE)
SPANISH_PO = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
ACCOUNT_SOURCES = ("templates/account/", "registry/security/account_messages.py")


def spanish_entries():
    """(msgid, [msgstr...], the files that use it) for each entry of the Spanish catalogue."""
    for block in SPANISH_PO.read_text(encoding="utf-8").split("\n\n"):
        references, fields, field = "", {}, None
        for line in block.splitlines():
            if line.startswith("#:"):
                references += line[2:]
            elif line.startswith("#"):
                field = None
            elif line.startswith('"') and field:
                fields[field] += ast.literal_eval(line)
            elif " " in line:
                field, literal = line.split(" ", 1)
                fields[field] = ast.literal_eval(literal)
        texts = [value for key, value in fields.items() if key.startswith("msgstr") and value]
        if fields.get("msgid") and texts:
            yield fields["msgid"], texts, references


def sign_up(client, email="maria.ptp@example.org"):
    response = client.post(
        "/accounts/signup/",
        {"email": email, "password1": "clave-muy-segura-2026", "password2": "clave-muy-segura-2026"},
        HTTP_HOST="registro.munilima.example",
    )
    assert response.status_code == 302
    return get_user_model().objects.get(email=email)


def test_the_verification_e_mail_speaks_tu_with_the_portal_s_name_and_the_request_s_host(
    client, mailoutbox, demo_site, settings
):
    settings.ALLOWED_HOSTS = ["registro.munilima.example"]
    user = sign_up(client)
    (message,) = mailoutbox
    text = message.subject + "\n" + message.body
    assert not USTED.search(text), text
    assert not SU.search(text), text
    assert user.username and user.username not in text.replace(user.email, "")
    assert "registro.munilima.example" not in text.split("http://")[0]  # no host as a greeting
    assert "Registro migrante" in message.body  # the Wagtail site's name (demo_site)
    links = re.findall(r"https?://\S+", message.body)
    assert links and all(link.startswith("http://registro.munilima.example/accounts/") for link in links)
    assert "Confirma tu correo electrónico" in message.subject


def test_the_password_reset_e_mail_names_no_username(client, mailoutbox):
    user = UserFactory(username="maria.ptp", email="maria@example.org")
    client.post("/accounts/password/reset/", {"email": user.email})
    (message,) = mailoutbox
    assert "maria.ptp" not in message.body
    assert not USTED.search(message.body) and not SU.search(message.body), message.body
    assert "tu contraseña" in message.body


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/accounts/login/", "¿Olvidaste tu contraseña?"),
        ("/accounts/signup/", "¿Ya tienes una cuenta?"),
        ("/accounts/password/reset/", "¿Olvidaste tu contraseña? Escribe tu correo electrónico"),
        ("/accounts/confirm-email/", "Te enviamos un correo"),
    ],
)
def test_account_pages_speak_tu(client, path, expected):
    html = client.get(path).content.decode()
    assert expected in html
    for usted in ("su contraseña", "Por favor, confirme", "usted", "Usted", "Ha olvidado"):
        assert usted not in html, (path, usted)


def test_the_signed_in_user_s_pages_speak_tu(client):
    user = UserFactory(username="maria.ptp", email="maria@example.org")
    client.force_login(user)
    for path, expected in [
        ("/accounts/email/", "tu cuenta"),
        ("/accounts/password/change/", "Cambiar contraseña"),
    ]:
        html = client.get(path).content.decode()
        assert expected in html, path
        assert "maria.ptp" not in html and " su " not in html and "usted" not in html.lower(), path


def test_no_spanish_account_text_says_usted():
    """Every Spanish text of the account pages, e-mails and messages (those the portal words
    over allauth's), and the usted-only forms in the whole catalogue."""
    offending, account_texts = [], 0
    for msgid, texts, references in spanish_entries():
        account_text = any(source in references for source in ACCOUNT_SOURCES)
        account_texts += account_text
        for text in texts:
            if USTED.search(text) or (account_text and SU.search(text)):
                offending.append((msgid, text))
    assert account_texts > 80  # the account pages, e-mails and messages are in the catalogue
    assert offending == []


def test_account_forms_lead_with_an_error_summary_linking_to_each_field(client, demo_site):
    """A wrong sign-up keeps what was typed and says what to correct, above the form."""
    response = client.post(
        "/accounts/signup/",
        {"email": "maria.ptp@example", "password1": "corta", "password2": "otra"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    summary = html.index('id="error-summary"')
    assert summary < html.index('name="email"')
    assert 'href="#id_email"' in html[summary:]
    assert 'value="maria.ptp@example"' in html  # nothing typed is lost

    response = client.post("/accounts/login/", {"login": "nadie@example.org", "password": "x"})
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert html.index('id="error-summary"') < html.index('name="password"')
