"""Pages at fixed addresses on every site: the accessibility statement and the stylesheet of
the municipality's colours.

The footer of every page links to /accesibilidad/ (/en/accesibilidad/ in English). A site that
has an AccessibilityPage gets it, in the visitor's language when translated; a site that has
none (a new municipality, a site without the demo) gets the statement written in the templates,
so the link never leads nowhere.
"""

from datetime import date

from django.http import HttpResponse
from django.template.response import TemplateResponse
from wagtail.models import Site

from .branding import brand_for_request
from .models import AccessibilityPage

# When the built-in statement (templates/cms/accessibility_statement.html) was last checked
# against the site; change it with the statement.
STATEMENT_REVIEWED = date(2026, 11, 30)


def find_statement(site):
    """The site's live statement in the active language, else in the original one, else None."""
    if site is None:
        return None
    for root in (site.root_page.localized, site.root_page):
        page = AccessibilityPage.objects.live().child_of(root).first()
        if page is not None:
            return page
    return None


def accessibility_statement(request):
    page = find_statement(Site.find_for_request(request))
    if page is not None:
        return page.serve(request)
    return TemplateResponse(
        request, "cms/accessibility_statement.html", {"last_reviewed": STATEMENT_REVIEWED}
    )


def municipal_stylesheet(request):
    """The colours of this site's municipality as CSS custom properties (cms/branding.py): a
    stylesheet, since the Content-Security-Policy allows no inline style. base.html links it with
    the colour in the address, so a new colour is fetched at once and an old one cached long."""
    brand = brand_for_request(request) or {}
    css = ""
    if brand.get("colour"):
        css = f":root {{ --municipal-colour: {brand['colour']}; --municipal-ink: {brand['ink']}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
