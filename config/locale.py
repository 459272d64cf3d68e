"""Which language a request is served in, and the URL prefix that says it.

Public pages live under `i18n_patterns()` below: the Spanish addresses have no prefix
(`/directorio/`, `/empezar/`, the ones printed on posters and shared on WhatsApp) and
`/en/...` is always English.

Django's own pair (LocaleMiddleware with `i18n_patterns(prefix_default_language=False)`) serves
every address without a prefix in LANGUAGE_CODE whatever the visitor chose, because its URL
pattern only matches such an address while LANGUAGE_CODE is active. Ours keeps what the site did
before the prefix existed: without a prefix, the language cookie set by the switcher, then the
browser's Accept-Language, then Spanish. So a visitor who chose English keeps English on the
addresses that have no English prefix (the admin, an old link, error pages), and the anonymous
page cache, which keys on the same choice (cms/page_cache.py), stays right.
"""

from django.conf import settings
from django.middleware import locale
from django.urls import LocalePrefixPattern, URLResolver
from django.utils import translation


class LocaleMiddleware(locale.LocaleMiddleware):
    def process_request(self, request):
        language = translation.get_language_from_path(request.path_info)
        if not language:
            language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class LanguagePrefixPattern(LocalePrefixPattern):
    """Matches by the address's own prefix, not by the active language: `en/...` is English and
    an address without a prefix is the default language's, whatever language the visitor reads
    in. Reversing still writes the active language's prefix (none for Spanish)."""

    def __init__(self):
        super().__init__(prefix_default_language=False)

    def match(self, path):
        language = translation.get_language_from_path(f"/{path}")
        if language is None:
            return path, (), {}
        if language == settings.LANGUAGE_CODE:
            return None  # Spanish has no prefix: /es/... is no address of ours
        return path.removeprefix(language).removeprefix("/"), (), {}


def i18n_patterns(*urls):
    return [URLResolver(LanguagePrefixPattern(), list(urls))]
