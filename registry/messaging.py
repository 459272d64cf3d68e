"""The channels a notification travels by: e-mail, SMS and WhatsApp.

Each `send_*` function delivers one rendered message to one recipient and returns the
provider's message id, or raises `TemporaryFailure` (worth trying again later: a mail server
that answers 4xx or does not answer, a provider's rate limit or outage) or `PermanentFailure`
(trying again cannot help: a refused mailbox, an undeliverable number, a rejected token).
The outbox (registry.notifications) decides what to do with each.

- E-mail goes through Django's mail backend (EMAIL_* settings).
- WhatsApp through the WhatsApp Business Cloud API's template messages:
  POST {REGISTRY_WHATSAPP_API_URL}/{REGISTRY_WHATSAPP_PHONE_NUMBER_ID}/messages with a Bearer
  token; errors come as {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}.
  Business-initiated messages must use a template approved by Meta (REGISTRY_WHATSAPP_TEMPLATE)
  whose body takes two parameters: what happened (naming the organization) and the link.
- SMS through an SMS gateway speaking Twilio's Messages API:
  POST {REGISTRY_SMS_API_URL}/2010-04-01/Accounts/{sid}/Messages.json (form fields To, From,
  Body; HTTP basic auth); errors come as {"code", "message", "more_info", "status"}.

Error texts kept (`last_error`) hold the provider's code and message, never the message's text.
"""

import smtplib
from email.utils import make_msgid

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from .models import Channel


class DeliveryError(Exception):
    pass


class TemporaryFailure(DeliveryError):
    pass


class PermanentFailure(DeliveryError):
    pass


def channel_configured(channel: str) -> bool:
    """Whether the installation can send on `channel` (e-mail always can)."""
    if channel == Channel.WHATSAPP:
        return bool(settings.REGISTRY_WHATSAPP_PHONE_NUMBER_ID and settings.REGISTRY_WHATSAPP_TOKEN)
    if channel == Channel.SMS:
        return bool(
            settings.REGISTRY_SMS_ACCOUNT_SID
            and settings.REGISTRY_SMS_AUTH_TOKEN
            and settings.REGISTRY_SMS_FROM
        )
    return channel == Channel.EMAIL


def _short(text) -> str:
    return " ".join(str(text).split())[:480]


# ----- e-mail ------------------------------------------------------------------------------------


def send_email(*, to: str, subject: str, body: str) -> str:
    message_id = make_msgid(domain=settings.REGISTRY_MESSAGE_ID_DOMAIN)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": message_id},
        connection=get_connection(fail_silently=False),
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()), (550, b""))
        raise _smtp_failure(code, text) from error
    except smtplib.SMTPAuthenticationError as error:
        # The installation's credentials, not the recipient: fixable, so worth retrying.
        raise TemporaryFailure(f"SMTP {error.smtp_code}: authentication failed") from error
    except smtplib.SMTPResponseException as error:
        raise _smtp_failure(error.smtp_code, error.smtp_error) from error
    except (smtplib.SMTPException, OSError) as error:  # refused, reset, timed out, disconnected
        raise TemporaryFailure(_short(f"{type(error).__name__}: {error}")) from error
    return message_id


def _smtp_failure(code: int, text) -> DeliveryError:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    detail = _short(f"SMTP {code}: {text}")
    return PermanentFailure(detail) if 500 <= code < 600 else TemporaryFailure(detail)


# ----- WhatsApp Business Cloud API ---------------------------------------------------------------

# Codes Meta documents as worth trying again later: throughput and rate limits, "something went
# wrong", service unavailable. Anything else (an expired token 190, an undeliverable message
# 131026, a re-engagement window 131047, a template that does not exist 132001, a bad parameter
# 100) is final for this message.
WHATSAPP_RETRY_CODES = {1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131056, 133004}


def send_whatsapp(*, to: str, language: str, parameters: list[str]) -> str:
    url = "{}/{}/messages".format(
        settings.REGISTRY_WHATSAPP_API_URL.rstrip("/"), settings.REGISTRY_WHATSAPP_PHONE_NUMBER_ID
    )
    payload = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to.lstrip("+"),
        "type": "template",
        "template": {
            "name": settings.REGISTRY_WHATSAPP_TEMPLATE,
            "language": {"code": language},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": value} for value in parameters]}
            ],
        },
    }
    try:
        response = requests.post(
            url,
            json=payload,
            headers={"Authorization": f"Bearer {settings.REGISTRY_WHATSAPP_TOKEN}"},
            timeout=settings.REGISTRY_MESSAGING_TIMEOUT,
        )
    except requests.RequestException as error:
        raise TemporaryFailure(_short(f"WhatsApp: {type(error).__name__}")) from error
    data = _json(response)
    if response.ok:
        try:
            return str(data["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise TemporaryFailure(f"WhatsApp: HTTP {response.status_code} without a message id") from None
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        failure = (
            TemporaryFailure
            if response.status_code >= 500 or response.status_code == 429
            else PermanentFailure
        )
        raise failure(f"WhatsApp: HTTP {response.status_code}")
    code = error.get("code")
    detail = _short(f"WhatsApp {code}: {error.get('message', '')}")
    if code in WHATSAPP_RETRY_CODES or (code is None and response.status_code >= 500):
        raise TemporaryFailure(detail)
    raise PermanentFailure(detail)


# ----- SMS (Twilio's Messages API) ---------------------------------------------------------------


def send_sms(*, to: str, body: str) -> str:
    sid = settings.REGISTRY_SMS_ACCOUNT_SID
    url = f"{settings.REGISTRY_SMS_API_URL.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
    try:
        response = requests.post(
            url,
            data={"To": to, "From": settings.REGISTRY_SMS_FROM, "Body": body},
            auth=(sid, settings.REGISTRY_SMS_AUTH_TOKEN),
            timeout=settings.REGISTRY_MESSAGING_TIMEOUT,
        )
    except requests.RequestException as error:
        raise TemporaryFailure(_short(f"SMS: {type(error).__name__}")) from error
    data = _json(response)
    if response.ok and isinstance(data, dict) and data.get("sid"):
        return str(data["sid"])
    if not isinstance(data, dict):
        data = {}
    detail = _short(f"SMS {data.get('code') or response.status_code}: {data.get('message', '')}")
    # 429 (too many requests) and the gateway's own outages pass; a refused number does not.
    if response.status_code == 429 or response.status_code >= 500:
        raise TemporaryFailure(detail)
    raise PermanentFailure(detail)


def _json(response):
    try:
        return response.json()
    except ValueError:
        return {}
