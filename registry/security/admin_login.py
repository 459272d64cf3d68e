"""The Wagtail admin's login form, throttled by the same counters as the site's login.

django-allauth counts failed logins per client address and per account (ACCOUNT_RATE_LIMITS
"login_failed"). Wagtail's own form at /admin/login/ went straight to Django's `authenticate`, so
it had no throttle and an account locked on the site could still log in there. This form
authenticates through allauth's adapter instead: the same counters, the same lock-out, the same
message, whichever door is used.
"""

from allauth.account.adapter import get_adapter
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm


def _credentials(login: str) -> dict:
    """The account's e-mail when there is one, as the site's login form keys its counter on it;
    the name typed otherwise (an account without e-mail, or none at all)."""
    account = (
        get_user_model()
        .objects.filter(Q(username=login) | Q(email__iexact=login))
        .exclude(email="")
        .order_by("pk")
        .first()
    )
    return {"email": account.email} if account is not None else {"username": login}


class StaffLoginForm(LoginForm):
    """Staff log in with their e-mail address, like everyone else; labelled so in Spanish (Wagtail
    labels the first field with the user model's "username" and leaves the password unlabelled)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login, password = self.fields["username"], self.fields["password"]
        login.label = _("E-mail address")
        login.widget.attrs.update({"placeholder": _("Enter your e-mail address"), "autocomplete": "email"})
        password.label = _("Password")
        password.widget.attrs["placeholder"] = _("Enter your password")

    def get_invalid_login_error(self):
        return forms.ValidationError(
            _("Your e-mail address and password didn't match. Please try again."), code="invalid_login"
        )

    def clean(self):
        login = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if login is not None and password:
            # Raises the "too many attempts" ValidationError when either counter is full; counts
            # a failure; takes its count back on success, as on the site's login.
            user = get_adapter(self.request).authenticate(
                self.request, **_credentials(login), password=password
            )
            if user is None:
                raise self.get_invalid_login_error()
            self.user_cache = user
            self.confirm_login_allowed(user)
        return self.cleaned_data
