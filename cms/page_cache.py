"""Anonymous directory pages served from Django's cache, before the rest of the stack runs.

Most visitors are anonymous and ask the same few pages ("/directorio/", a district, "arepas").
A view marks its response with `cacheable()`; `AnonymousPageCacheMiddleware` keeps marked
responses of visitors without a session and serves them again to such visitors.

The key holds the directory index's version (search.indexing.current_version, changed in the
same transaction as every change of the index), so a listing published, suspended or edited
shows at once: nothing is invalidated by hand, old keys simply stop being asked for and expire.
Publishing a page and saving the menu or the office's details bump it too (cms/signals.py).
It also holds the host (Wagtail serves several sites), the language LocaleMiddleware would pick
and the full path with its query.

Why not Django's cache middleware (UpdateCacheMiddleware/FetchFromCacheMiddleware): its key is
the URL and the Vary headers, so it could not follow the index version, and with `Vary: Cookie`
a CSRF or language cookie would split the cache per visitor. Why not cache in the view: a hit would
still go through sessions, authentication, Wagtail's site and page routing and a dozen
middlewares, 6 queries and most of the time of a request; served here it costs one query (the
version) and a cache read.
"""

from hashlib import sha256

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation

from registry.db_routing import read_from_replica
from search.version import known_version, request_version

__all__ = ["cacheable", "known_version", "request_version"]

CACHEABLE = "_portal_anonymous_cacheable"
# Headers the stack after this middleware adds (CSP, Permissions-Policy, frame options, Vary…):
# a response served from the cache must carry them too. Never Set-Cookie.
HEADERS_SKIPPED = {"set-cookie", "content-length"}
# Paths whose responses were cacheable, learnt as they are served: other requests skip the
# look-up (and its query) altogether.
_cacheable_paths: set[str] = set()


def cacheable(response):
    """Mark a view's response as the same for every anonymous visitor of this URL and language."""
    setattr(response, CACHEABLE, True)
    return response


def page_key(host: str, language: str, full_path: str, version: int) -> str:
    digest = sha256(f"{host}\n{full_path}".encode()).hexdigest()
    return f"directory-page:{version}:{language}:{digest}"


def _without_session(request) -> bool:
    """A visitor with neither a session (so not logged in) nor flash messages waiting."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or not _without_session(request):
            return self.get_response(request)
        if request.path not in _cacheable_paths:
            response = self.get_response(request)
            if getattr(response, CACHEABLE, False):
                # Kept from the next request on: its key is read before the page is made, so a
                # change of the index while a page is made never files it under the new version.
                _cacheable_paths.add(request.path)
            return response
        # A learnt path is a public read: its key's version is read from the database the page
        # would be made from (the replica when registry.db_routing allows), so a page made from a
        # replica that lags is never filed under the primary's newer version.
        read_from_replica(request)
        key = self._key(request)
        cached = cache.get(key)
        if cached is not None:
            content, headers = cached
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if (
            getattr(response, CACHEABLE, False)
            and response.status_code == 200
            and not response.cookies
            and not response.streaming
        ):
            headers = [
                (name, value) for name, value in response.items() if name.lower() not in HEADERS_SKIPPED
            ]
            cache.set(key, (response.content, headers), settings.DIRECTORY_PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def _key(request) -> str:
        language = translation.get_language_from_request(request)
        return page_key(request.get_host(), language, request.get_full_path(), request_version(request))
