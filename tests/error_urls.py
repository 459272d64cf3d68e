"""The site's URLs plus three that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from config.urls import *  # noqa: F403 (the handlers included)
from config.urls import urlpatterns as site_urlpatterns


def bad(request):
    raise SuspiciousOperation("a malformed request")


def denied(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("prueba/400/", bad),
    path("prueba/403/", denied),
    path("prueba/500/", broken),
    *site_urlpatterns,
]
