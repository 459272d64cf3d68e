from django import template

from ..notifications import can_resend
from ..views.notifications_admin import notices_for

register = template.Library()


@register.simple_tag
def notices(user, organization):
    """The notices of the review page, each with whether `user` may resend it."""
    rows = notices_for(user, organization)
    for row in rows:
        row.resendable = can_resend(user, row) and row.state not in (*row.WAITING, row.State.SENDING)
    return rows


@register.simple_tag
def messaging_consent(user, form=None):
    """What the consent block of "My personal data" needs: the channels offered, the current
    consent and the form (the one posted back with its errors, or a fresh one)."""
    from ..models import MessagingConsent
    from ..views.messaging_consent import MessagingConsentForm, offered_channels

    return {
        "channels": offered_channels(),
        "current": MessagingConsent.current_for(user) if user.is_authenticated else None,
        "form": form or MessagingConsentForm(),
    }
