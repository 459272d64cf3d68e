"""The language switcher's addresses and the language of a page's own content."""

from django import template
from django.urls import translate_url
from wagtail.models import Locale, Page

register = template.Library()


def _page(context):
    page = context.get("page")
    return page if isinstance(page, Page) and page.pk else None


@register.simple_tag(takes_context=True)
def content_language(context):
    """The language the current page is written in, or "" outside Wagtail pages. It differs from
    the interface's language when a page not translated yet is shown in its original."""
    page = _page(context)
    return page.locale.language_code if page else ""


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
        url = _translation_url(page, request, language_code)
    if url is None:
        url = translate_url(request.path, language_code)
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


def _translation_url(page, request, language_code):
    locale = Locale.objects.filter(language_code=language_code).first()
    translation = page.get_translation_or_none(locale) if locale else None
    if translation is None or not translation.live:
        return None
    here, there = page.get_url(request), translation.get_url(request)
    if not here or not there:
        return None
    # A routable page's own routes (a listing of the directory) follow its address.
    rest = request.path[len(here) :] if request.path.startswith(here) else ""
    return there + rest
