"""Anonymous directory pages served from Django's cache.

Most visitors are anonymous and ask the same few pages ("/directorio/", a district, "arepas").
The key holds the directory index's version (search.indexing.current_version, changed in the same
transaction as every change of the index), so a listing published, suspended or edited shows at
once: nothing is invalidated by hand, old keys simply stop being asked for and expire.

Why not Django's cache_page: it keys on the URL and headers only, so it could not follow the
index version, and it would cache pages for logged-in people too.
"""

from hashlib import sha256

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

HEADERS_KEPT = ("Content-Type", "Content-Language")


def cached_for_anonymous(request, render):
    """Return render()'s response, from the cache when an anonymous visitor asks a cached page."""
    if request.method != "GET" or request.user.is_authenticated or len(get_messages(request)):
        return render()
    from search.indexing import current_version

    path = sha256(request.get_full_path().encode()).hexdigest()
    key = f"directory-page:{current_version()}:{get_language()}:{path}"
    cached = cache.get(key)
    if cached is not None:
        content, headers = cached
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        return response
    response = render()
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    if response.status_code == 200 and not response.cookies:
        headers = {name: response[name] for name in HEADERS_KEPT if name in response}
        cache.set(key, (response.content, headers), settings.DIRECTORY_PAGE_CACHE_SECONDS)
    return response
