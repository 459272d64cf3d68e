"""The directory inside other sites: the embedded list and the page that hands out its snippet.

An NGO's or a municipality's website shows a filtered list of the directory (a sector, a
district, a registry, some words) in a frame, either with `static/embed.js` (which inserts the
frame and fits its height to the content) or with a plain `<iframe>`. Routed by
cms.DirectoryPage like the directory's other views, so each site's embed links to its own
directory page and shows its own registry by default, as the directory page does.

The embedded page reads only through `search.selectors.directory_search`, so it lists what the
public directory lists, with the same public fields (`registry.public`). It is the one page that
other sites may frame (`EMBED_FRAME_ANCESTORS`, "*" by default): its response alone is exempt
from X-Frame-Options and carries its own `frame-ancestors`. It sets no cookie and holds no
session or CSRF token (it is rendered without the request's context processors), so that public
caches may keep it (`Cache-Control: public`) for a few minutes.
"""

from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import urlencode, urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django_ratelimit.decorators import ratelimit

from registry.db_routing import public_read
from registry.jurisdiction import municipality_for_request
from registry.models import District, Kind, Municipality, Sector

from .forms import listed
from .query import DirectoryQuery
from .selectors import directory_search, municipality_labels
from .views import _scoped

DEFAULT_LIMIT = 10
MAX_LIMIT = 20
# Long enough for a public cache to spare the portal most requests of a popular page, short
# enough that a withdrawn listing leaves the embedded lists within minutes.
CACHE_SECONDS = 300
LANGUAGES = ("es", "en")
# The filters an embed takes, in the order the snippet writes them.
FILTERS = ("sector", "district", "municipality", "kind", "q", "limit", "lang")


@dataclass
class EmbedFilters:
    """What an embed shows, read from its URL: the query, what the heading names, and the
    reasons the filters were refused (then nothing is listed)."""

    query: DirectoryQuery
    sectors: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    municipalities: list[Municipality] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)


def _limit(value: str, errors: list[str]) -> int:
    if not value:
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        errors.append(
            _("“%(value)s” is not a number of listings: give a number from 1 to %(max)s.")
            % {"value": value[:20], "max": MAX_LIMIT}
        )
        return DEFAULT_LIMIT
    return limit


def embed_filters(params) -> EmbedFilters:
    """Read and check an embed's filters. Unlike the directory page, which ignores a bad value
    so that a shared link still shows something, an embed refuses it with the reason: it is
    set up once by whoever builds the other site, who should see the mistake at once."""
    errors = []
    sector_codes = listed(params, "sector")
    sectors = {s.code: s for s in Sector.objects.filter(code__in=sector_codes)}
    for code in sector_codes:
        if code not in sectors:
            errors.append(_("There is no sector with the code “%(code)s”.") % {"code": code[:60]})

    # A district by its code (the slug of its name) or by its INEI ubigeo.
    district_values = listed(params, "district")
    districts = {}
    for district in District.objects.filter(
        Q(code__in=district_values) | Q(ubigeo__in=[v for v in district_values if v.isdigit()])
    ):
        districts[district.code] = districts[district.ubigeo] = district
    for value in district_values:
        if value not in districts:
            errors.append(_("There is no district “%(value)s” in Lima or Callao.") % {"value": value[:60]})

    ubigeos = listed(params, "municipality")
    known = municipality_labels(needed=ubigeos)
    for code in ubigeos:
        if code not in known:
            errors.append(
                _("No municipality has the ubigeo %(codes)s; give six-digit INEI codes such as 150100.")
                % {"codes": code[:12]}
            )

    kinds = listed(params, "kind")
    for kind in kinds:
        if kind not in Kind.values:
            errors.append(
                _("“%(value)s” is not a kind of listing: give business or organization.")
                % {"value": kind[:30]}
            )

    limit = _limit(params.get("limit", ""), errors)
    language = params.get("lang", "")
    if language and language not in LANGUAGES:
        errors.append(
            _("“%(value)s” is not a language of the directory: give es or en.") % {"value": language[:10]}
        )
    try:
        page = int(params.get("page") or 1)
    except ValueError:
        page = 1
    chosen = {district.code: district for district in districts.values()}
    query = DirectoryQuery(
        text=params.get("q", ""),
        sector=tuple(sectors),
        district=tuple(chosen),
        municipality=tuple(code for code in ubigeos if code in known),
        kind=tuple(kind for kind in kinds if kind in Kind.values),
        page=page,
        page_size=limit,
        highlight=False,
    )
    return EmbedFilters(
        query=query,
        sectors=[sectors[code].label for code in query.sector],
        districts=[chosen[code].name for code in query.district],
        municipalities=list(Municipality.objects.filter(ubigeo__in=query.municipality)),
        errors=errors,
        params={
            name: value
            for name, value in (
                ("sector", ",".join(query.sector)),
                ("district", ",".join(query.district)),
                ("municipality", ",".join(query.municipality)),
                ("kind", ",".join(query.kind)),
                ("q", query.text),
                ("limit", str(limit) if limit != DEFAULT_LIMIT else ""),
                ("lang", language if language in LANGUAGES else ""),
            )
            if value
        },
    )


def heading(filters: EmbedFilters, registry: Municipality | None) -> str:
    """The embed's title: "Directorio de Gastronomía y alimentos en Comas — Municipalidad
    Metropolitana de Lima"."""
    if filters.sectors:
        text = _("Directory of %(sectors)s") % {"sectors": ", ".join(filters.sectors)}
    else:
        text = _("Directory of migrant-led businesses and organizations")
    if filters.districts:
        text = _("%(directory)s in %(districts)s") % {
            "directory": text,
            "districts": ", ".join(filters.districts),
        }
    if registry is not None:
        text = f"{text} — {registry.name}"
    return text


def licence_url(spdx: str) -> str:
    """Where a licence given by its SPDX identifier is read: Creative Commons' own deed for its
    licences, SPDX's page for any other."""
    code = spdx.strip()
    if code == "CC0-1.0":
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    if code.startswith("CC-BY"):
        *kind, version = code.split("-")[1:]
        return f"https://creativecommons.org/licenses/{'-'.join(kind).lower()}/{version}/"
    return f"https://spdx.org/licenses/{code}.html"


def _registry(request, filters: EmbedFilters) -> Municipality | None:
    """The municipality the heading and the licence name: the one chosen, else this site's."""
    if len(filters.municipalities) == 1:
        return filters.municipalities[0]
    if filters.municipalities:
        return None
    return municipality_for_request(request)


def _page_url(page, request) -> str:
    """The directory page's absolute address on the host this request came to."""
    return request.build_absolute_uri(page.get_url(request))


def licence_label(spdx: str) -> str:
    """The licence as Creative Commons writes its names: "CC BY 4.0" for CC-BY-4.0."""
    return spdx.replace("-", " ") if spdx.startswith("CC") else spdx


def _directory_url(page, request, params: dict[str, str]) -> str:
    url = _page_url(page, request)
    pairs = [(name, value) for name, value in params.items() if name not in {"limit", "lang"}]
    if "municipality" in params:
        pairs.append(("scope", "all"))
    return url + ("?" + urlencode(pairs) if pairs else "")


def framable(view):
    """Let the sites of EMBED_FRAME_ANCESTORS (read at each request, so that tests and a changed
    environment take effect) frame this view's pages, in the enforced and the report-only
    Content-Security-Policy, and exempt them from X-Frame-Options."""

    @wraps(view)
    def framed(request, *args, **kwargs):
        ancestors = {"frame-ancestors": list(settings.EMBED_FRAME_ANCESTORS) or ["'none'"]}
        allowed = csp_replace(ancestors)(csp_replace(ancestors, REPORT_ONLY=True)(view))
        return allowed(request, *args, **kwargs)

    return xframe_options_exempt(framed)


@framable
@public_read
@ratelimit(key="ip", rate=lambda group, request: settings.DIRECTORY_API_RATE, method="GET", block=False)
def embed_directory(request, page):
    """The embedded list: a whole small HTML document of its own, without the site's layout, in
    the language its `lang` parameter names (else the visitor's, as on every page). Limited per
    client address like the API; over the limit it says so inside the frame (the site's own 429
    page may not be framed)."""
    language = request.GET.get("lang", "")
    language = language if language in LANGUAGES else translation.get_language()
    with translation.override(language):
        if getattr(request, "limited", False):
            message = _("Too many requests from your connection: please wait a minute and reload the page.")
            body = render_to_string(
                "search/embed.html",
                {
                    "language": language,
                    "heading": _("Directory of migrant-led businesses and organizations"),
                    "errors": [message],
                },
            )
            return HttpResponse(body, status=429, headers={"Content-Language": language, "Retry-After": "60"})
        response = _embed_response(request, page, language)
    response["Content-Language"] = language
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def _embed_response(request, page, language: str) -> HttpResponse:
    filters = embed_filters(request.GET)
    registry = _registry(request, filters)
    context = {
        "language": language,
        "heading": heading(filters, registry),
        "errors": filters.errors,
        "builder_url": _page_url(page, request) + "insertar/",
        "licence": licence_label(registry.open_data_licence if registry else "CC-BY-4.0"),
        "licence_url": licence_url(registry.open_data_licence if registry else "CC-BY-4.0"),
        "publisher": registry.name if registry else "",
    }
    if not filters.errors:
        query, _params, _scope = _scoped(request, filters.query)
        result = directory_search(query=query)
        base = _page_url(page, request)
        more = {**filters.params}
        if query.municipality and "municipality" not in more:
            more["municipality"] = ",".join(query.municipality)
        here = filters.params
        context.update(
            result=result,
            listings=[(hit.listing, f"{base}{hit.listing.slug}/") for hit in result.hits],
            directory_url=_directory_url(page, request, more),
            previous_url="?" + urlencode({**here, "page": query.page - 1}) if result.has_previous else "",
            next_url="?" + urlencode({**here, "page": query.page + 1}) if result.has_next else "",
        )
    # Without the request: no context processor runs, so nothing reads the session, the user or
    # a CSRF token, and the response stays the same for every visitor.
    body = render_to_string("search/embed.html", context)
    return HttpResponse(body, status=400 if filters.errors else 200)


# Where static/embed.js looks for the embed when its tag names no `data-src`.
DEFAULT_EMBED_PATH = "/directorio/insertar/marco/"


def snippet(*, script_url: str, embed_url: str, params: dict[str, str], title: str) -> dict[str, str]:
    """The HTML another site pastes: the script (fits the frame's height) and a plain frame."""
    data = "".join(f' data-{name}="{escape(value)}"' for name, value in params.items())
    if urlsplit(embed_url).path != DEFAULT_EMBED_PATH:
        data = f' data-src="{escape(embed_url)}"' + data
    frame_src = embed_url + ("?" + urlencode(params) if params else "")
    return {
        "script": f'<script src="{escape(script_url)}"{data} async></script>',
        "iframe": (
            f'<iframe src="{escape(frame_src)}" title="{escape(title)}" width="100%" height="640" '
            'loading="lazy"></iframe>'
        ),
        "frame_src": frame_src,
    }


def embed_builder(request, page):
    """The page "Add the directory to your website": a GET form (works without JavaScript) that shows the
    snippet to copy for the filters chosen, and the embed itself as a preview."""
    chosen = bool(request.GET)
    filters = embed_filters(request.GET)
    registry = _registry(request, filters)
    embed_url = _page_url(page, request) + "insertar/marco/"
    # The script's address without the hash a manifest storage adds to its name: the snippet is
    # pasted on other sites once and must keep working after the file changes.
    script_url = request.build_absolute_uri(settings.STATIC_URL + "embed.js")
    code = snippet(
        script_url=script_url,
        embed_url=embed_url,
        params=filters.params,
        title=heading(filters, registry),
    )
    return TemplateResponse(
        request,
        "search/embed_builder.html",
        {
            "page": page,
            "self": page,
            "chosen": chosen,
            "filters": filters,
            "errors": filters.errors,
            "sectors": Sector.objects.all(),
            "districts": District.objects.order_by("name"),
            "municipalities": Municipality.objects.order_by("name"),
            "values": {name: request.GET.get(name, "") for name in FILTERS},
            "snippet": code,
            "max_limit": MAX_LIMIT,
        },
        status=400 if filters.errors else 200,
    )
