"""The applicant's consent to be told of their applications by SMS or WhatsApp (/mi-cuenta/avisos/).

Shown on "My personal data" (templates/registry/includes/messaging_consent.html). Giving it
records the number, the channel and the moment; withdrawing it stops every SMS or WhatsApp
message not yet sent. Only the channels the installation has configured are offered.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..forms import DeleteAccountForm
from ..messaging import channel_configured
from ..models import Channel, MessagingConsent, Notification


def offered_channels():
    return [
        (value, label) for value, label in MessagingConsent.MESSAGING_CHANNELS if channel_configured(value)
    ]


class MessagingConsentForm(forms.ModelForm):
    agree = forms.BooleanField(
        label=gettext_lazy(
            "I agree to receive news of my applications at this number. I can withdraw this at any time."
        ),
        error_messages={"required": gettext_lazy("Tick the box to give your consent.")},
    )

    class Meta:
        model = MessagingConsent
        fields = ["channel", "phone"]
        widgets = {"channel": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = offered_channels()
        self.fields["phone"].help_text = _("A mobile number, for example 987 654 321 or +58 412 1234567.")


def withdraw(user) -> int:
    """End the user's current consent and cancel the messages it allowed that are not sent yet."""
    with transaction.atomic():
        now = timezone.now()
        ended = MessagingConsent.objects.filter(user=user, withdrawn_at__isnull=True).update(withdrawn_at=now)
        Notification.objects.filter(
            user=user, channel__in=[Channel.SMS, Channel.WHATSAPP], state__in=Notification.WAITING
        ).update(state=Notification.State.CANCELLED, last_error="Consent withdrawn.")
    return ended


@login_required
@require_POST
def give(request):
    form = MessagingConsentForm(request.POST)
    if not offered_channels() or not form.is_valid():
        return TemplateResponse(
            request,
            "registry/my_data.html",
            {"delete_form": DeleteAccountForm(), "messaging_form": form},
            status=400,
        )
    with transaction.atomic():
        withdraw(request.user)
        consent = form.save(commit=False)
        consent.user = request.user
        consent.save()
    messages.success(
        request,
        _("We will also tell you of your applications by %(channel)s.")
        % {"channel": consent.get_channel_display()},
    )
    return redirect("registry:my_data")


@login_required
@require_POST
def withdraw_view(request):
    if withdraw(request.user):
        messages.success(request, _("We will no longer send you SMS or WhatsApp messages."))
    return redirect("registry:my_data")
