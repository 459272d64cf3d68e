import time
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .two_factor import is_staff_user, staff_powers_withheld


class StaffSessionMiddleware:
    """Staff sessions end after STAFF_SESSION_IDLE_SECONDS without a request and after
    STAFF_SESSION_MAX_SECONDS in all, whatever the cookie says: a staff session opens every
    migrant's documents, so a forgotten browser at the office must not stay open."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and is_staff_user(user):
            now = int(time.time())
            session = request.session
            started = session.setdefault("staff_session_started", now)
            last = session.get("staff_last_seen", now)
            idle = now - last > settings.STAFF_SESSION_IDLE_SECONDS
            too_long = now - started > settings.STAFF_SESSION_MAX_SECONDS
            if idle or too_long:
                logout(request)
                return redirect_to_login(request.get_full_path(), login_url=reverse("wagtailadmin_login"))
            session["staff_last_seen"] = now
        return self.get_response(request)


class StaffTwoFactorMiddleware:
    """With STAFF_REQUIRE_2FA on (production), the Wagtail admin opens only after a one-time
    password from an authenticator app (django-otp TOTP). Staff without a device set one up.
    Outside /admin/, the views that open personal data through a staff permission ask the same
    rule (`two_factor.staff_powers_withheld`) through the selectors."""

    ALLOWED_PREFIXES = ("/admin/login/", "/admin/logout/", "/staff/2fa/", "/static/", "/jsi18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith("/admin/")
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and is_staff_user(request.user)
            and staff_powers_withheld(request.user)
        ):
            return redirect(f"{reverse('staff_2fa')}?next={request.get_full_path()}")
        return self.get_response(request)


class RejectNullBytesMiddleware:
    """A NUL byte in a URL or query string is never legitimate, and PostgreSQL refuses text that
    holds one (a DataError, so a 500) wherever it would reach a query: refuse it at the door with a
    400 instead. Form fields already refuse NUL (Django's ProhibitNullCharactersValidator)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.META.get("QUERY_STRING", "").encode("latin-1", "replace")
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(raw):
            return HttpResponseBadRequest(_("Null characters are not allowed."))
        return self.get_response(request)
