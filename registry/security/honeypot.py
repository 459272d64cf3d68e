"""A honeypot field: invisible to people (moved off-screen by CSS), filled in by form-spamming
bots. Cheaper for a migrant on a phone than a CAPTCHA, and needs no third-party script."""

from django import forms
from django.utils.translation import gettext_lazy as _

HONEYPOT_NAME = "website_confirm"


class HoneypotField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            label=_("Leave this field empty"),
            widget=forms.TextInput(attrs={"class": "hp-field", "autocomplete": "off", "tabindex": "-1"}),
            **kwargs,
        )

    def clean(self, value):
        if value:
            raise forms.ValidationError(_("This form could not be sent. Please try again."), code="honeypot")
        return value


class HoneypotMixin(forms.Form):
    website_confirm = HoneypotField()


class SignupHoneypotForm(HoneypotMixin):
    """Extra fields for allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    def signup(self, request, user):
        return user
