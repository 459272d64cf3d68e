"""Setting up and entering a one-time password for staff (django-otp's TOTP device)."""

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .middleware import is_staff_user


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
