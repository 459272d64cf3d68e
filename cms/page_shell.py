"""The directory page made without re-reading what stays the same: Wagtail's routing, the site's
settings and menu, the locales and the page's translations, the site's municipality.

A directory page made for a new search used to read 20 rows besides the search: the site, the
locale, the home and directory pages and their specific rows, the page's view restrictions (Wagtail's
routing, 6 queries), the office's details and the menu with the pages it links (4), the locales and
the English translation for the language switcher (2), the site's municipality (1)… in about
half the page's time (docs/benchmarks.md, "Where the directory page's time goes"). None of it
changes between two searches: all of it changes only with a change that bumps the index version
(publishing or unpublishing a page, saving the menu, the office's details, a site or a
municipality, a page's view restrictions: cms/signals.py), the version cms/page_cache.py keys
its pages on.

So `DirectoryShellMiddleware` keeps, per process, host, path and language, what Wagtail's
routing found for a page whose response was marked `cacheable()` (the directory's index), with
the rest of that page's shell, under the index version (learnt on the address's second request:
the first shows that its page is cacheable, and other addresses never pay for the look-up). A
later request for the same address at the same version gets it on the request before Wagtail's `serve` runs, for every visitor (the
anonymous page cache serves only repeated addresses; here every new search gains): `serve` finds
its route already worked out (`Page.route_for_request` keeps it on the request), its hooks run
as always (the view-restriction check reads the restrictions kept with the page: none, or the
same ones, checked against this request), and so does the page's view.
"""

from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.models import Locale

from registry.jurisdiction import municipality_for_request

from .models import NavigationSettings, OfficeSettings
from .page_cache import CACHEABLE, request_version

SETTINGS = (OfficeSettings, NavigationSettings)
# A few addresses per site and language; bounded all the same (a version change empties it).
SHELLS_LIMIT = 256

_shells: dict = {}
_state = {"version": None}
# Paths whose response was cacheable, as cms.page_cache learns them: other addresses (a listing's
# page) never read the version for a shell they could not have.
_shell_paths: set[str] = set()


class Shell:
    """What a page's address resolves to and shows around its content, at one index version."""

    def __init__(self, request):
        self.site = request._wagtail_site
        self.route = request._wagtail_route_for_request
        page = self.route[0]
        # The restrictions hold for this version: changing them bumps it (cms/signals.py).
        restrictions = list(page.get_view_restrictions())
        page.get_view_restrictions = lambda: restrictions
        self.resolver_match = getattr(request, "routable_resolver_match", None)
        self.municipality = municipality_for_request(request)
        # What the page's template read on this request, else read now.
        self.settings = {
            model: getattr(request, model.get_cache_attr_name(), None) or model.for_site(self.site)
            for model in SETTINGS
        }
        self.locale_ids = getattr(request, "_cms_locale_ids", None) or dict(
            Locale.objects.values_list("language_code", "pk")
        )
        # The translations the language switcher and the menu looked up (cms_i18n), and later ones.
        self.translations: dict = getattr(request, "_cms_translations", {})

    def apply(self, request) -> None:
        """Give the request what Wagtail's routing and the templates would otherwise read."""
        request._wagtail_site = self.site
        request._wagtail_route_for_request = self.route
        if self.resolver_match is not None:
            request.routable_resolver_match = self.resolver_match
        request._municipality = self.municipality
        for model, instance in self.settings.items():
            instance._request = request  # as BaseSiteSetting.for_request does
            setattr(request, model.get_cache_attr_name(), instance)
        request._cms_locale_ids = self.locale_ids
        request._cms_translations = self.translations


def _shells_at(version) -> dict:
    if _state["version"] != version:
        _shells.clear()
        _state["version"] = version
    return _shells


def forget() -> None:
    _shells.clear()
    _shell_paths.clear()
    _state["version"] = None


class DirectoryShellMiddleware:
    """Hands Wagtail's `serve` the route and shell kept for this address (see the module's
    docstring). Placed last: every other middleware runs as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not (
            getattr(response, CACHEABLE, False)
            and response.status_code == 200
            and getattr(request, "_wagtail_route_for_request", None)
        ):
            return response
        key = getattr(request, "_cms_shell_key", None)
        if key is None:
            _shell_paths.add(request.path_info)
        else:
            shells = _shells_at(key[0])
            if len(shells) >= SHELLS_LIMIT:
                shells.clear()
            shells.setdefault(key, Shell(request))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            view_func is not wagtail_views.serve
            or request.method not in ("GET", "HEAD")
            or request.path_info not in _shell_paths
        ):
            return None
        # The version is read before the page is made, as the page cache's key: a change made
        # meanwhile files what this request learns under the old version, never the new one.
        key = (request_version(request), request.get_host(), request.path_info, translation.get_language())
        shell = _shells_at(key[0]).get(key)
        if shell is None:
            request._cms_shell_key = key
            request._cms_translations = {}
        else:
            shell.apply(request)
        return None
