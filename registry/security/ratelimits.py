"""Rate limits through Django's cache (Redis in production, see REDIS_URL) with django-ratelimit.

Limits are per IP and per account, so one person cannot flood the office's queue and a shared
IP (a cybercafé, an NGO's office) is not locked out by one abuser. allauth limits sign-up,
login and password reset itself (ACCOUNT_RATE_LIMITS); the API uses django-ninja's throttles.
"""

from django.template.response import TemplateResponse
from django_ratelimit.decorators import ratelimit

# Saving wizard steps and uploading: generous for a person, tight for a script.
WIZARD_RATE_PER_USER = "120/h"
WIZARD_RATE_PER_IP = "300/h"


def limit_wizard(view):
    view = ratelimit(key="user_or_ip", rate=WIZARD_RATE_PER_USER, method="POST", block=True)(view)
    return ratelimit(key="ip", rate=WIZARD_RATE_PER_IP, method="POST", block=True)(view)


def rate_limited(request, exception=None):
    return TemplateResponse(request, "429.html", {}, status=429)
