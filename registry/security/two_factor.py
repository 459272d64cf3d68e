"""Staff's second factor: the rule of when it is needed, and setting up and entering a one-time
password (django-otp's TOTP device)."""

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice


def is_staff_user(user) -> bool:
    return user.is_authenticated and (
        user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")
    )


def staff_powers_withheld(user) -> bool:
    """True while a user's staff permissions must not open anything: STAFF_REQUIRE_2FA is on and
    this session has not passed the one-time password.

    The one rule every staff door asks (the admin's middleware, the private documents' selector):
    a stolen password alone must never reach a migrant's documents or a decision. A user object
    that did not come through django-otp's middleware has no `is_verified` and counts as not
    verified, so a new caller fails closed.
    """
    if not settings.STAFF_REQUIRE_2FA:
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6 digits shown in the app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required(login_url="wagtailadmin_login")
def staff_two_factor(request):
    if not is_staff_user(request.user):
        return redirect("/")
    next_url = request.GET.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/admin/"
    confirmed = user_has_device(request.user, confirmed=True)
    device = (
        TOTPDevice.objects.filter(user=request.user, confirmed=confirmed).first()
        if confirmed
        else TOTPDevice.objects.get_or_create(user=request.user, confirmed=False, defaults={"name": "app"})[0]
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(next_url)
        form.add_error(
            "token", _("That code is not valid. Codes change every 30 seconds; try the current one.")
        )
    context = {"form": form, "setting_up": not confirmed}
    if not confirmed:
        context["qr"] = _qr_svg(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return TemplateResponse(request, "security/two_factor.html", context, status=400 if form.errors else 200)
