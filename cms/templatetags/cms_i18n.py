"""The language switcher's addresses, links to a page in the visitor's language, and the
language of a page's own content.

The locales are read once per request (one query), not once per link: a page has a menu and a
footer of links, and Wagtail's `Page.localized` asks for the active locale each time."""

from django import template
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Locale, Page
from wagtail.templatetags.wagtailcore_tags import pageurl

register = template.Library()


def _locale_ids(context) -> dict[str, int]:
    """Language code -> locale id, kept on the request."""
    request = context.get("request")
    cached = getattr(request, "_cms_locale_ids", None)
    if cached is None:
        cached = dict(Locale.objects.values_list("language_code", "pk"))
        if request is not None:
            request._cms_locale_ids = cached
    return cached


def _page(context):
    page = context.get("page")
    return page if isinstance(page, Page) and page.pk else None


def _translation(page, locale_id, request=None):
    """The live translation of `page` into that locale, if any. cms.page_shell gives the directory's
    requests a dict that keeps them while the index version lasts (publishing a page bumps it)."""
    if locale_id is None:
        return None
    if page.locale_id == locale_id:
        return page
    known = getattr(request, "_cms_translations", None)
    if known is not None and (page.pk, locale_id) in known:
        return known[(page.pk, locale_id)]
    found = Page.objects.live().filter(translation_key=page.translation_key, locale_id=locale_id).first()
    if known is not None:
        known[(page.pk, locale_id)] = found
    return found


@register.simple_tag(takes_context=True)
def content_language(context):
    """The language the current page is written in, or "" outside Wagtail pages. It differs from
    the interface's language when a page not translated yet is shown in its original."""
    page = _page(context)
    if page is None:
        return ""
    codes = {pk: code for code, pk in _locale_ids(context).items()}
    return codes.get(page.locale_id, "")


@register.simple_tag(takes_context=True)
def localized_pageurl(context, page):
    """The address of this page's translation in the active language (the page itself when it
    has none): a menu chosen once links each language's pages."""
    translation = _translation(page, _locale_ids(context).get(get_language()), context.get("request")) or page
    return pageurl(context, translation)


@register.simple_tag(takes_context=True)
def url_in_language(context, language_code):
    """Where the language switcher takes the visitor: the translation of the current page (and
    the same directory listing or query) when it exists, else the same address with the other
    language's prefix (a Django view, or a page shown in its original until it is translated)."""
    request = context.get("request")
    if request is None:
        return "/"
    url = None
    page = _page(context)
    if page is not None:
        url = _translation_url(context, page, request, language_code)
    if url is None:
        url = translate_url(request.path, language_code)
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


def _translation_url(context, page, request, language_code):
    translation = _translation(page, _locale_ids(context).get(language_code), request)
    if translation is None:
        return None
    here, there = page.get_url(request), translation.get_url(request)
    if not here or not there:
        return None
    # A routable page's own routes (a listing of the directory) follow its address.
    rest = request.path[len(here) :] if request.path.startswith(here) else ""
    return there + rest
