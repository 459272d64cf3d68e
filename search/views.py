"""The public directory pages, routed by cms.DirectoryPage. They read only through
`search.selectors`."""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.db_routing import public_read
from registry.jurisdiction import municipality_for_request
from registry.models import LegalForm, Municipality, Organization
from registry.models.organization import WEEKDAY_LABELS, WEEKDAYS
from registry.services import duplicates

from .forms import ListingReportForm, listed, query_from_params
from .query import FACETS, Sort
from .selectors import badge_labels, directory_search, formalization_steps, municipality_labels
from .selectors import directory_listing as find_listing
from .version import request_version

REPORTS_PER_HOUR = 5
# Inside <script>, a name could end the element ("</script>") or open a comment and a script
# ("<!--<script>") that swallow the rest of the page; JSON may write these characters as
# escapes, as Django's json_script does.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
FACET_VISIBLE = 8
# `scope=all`: the directory of a district municipality's site shows every municipality's
# listings rather than its own registry's.
SCOPE = "scope"
SCOPE_ALL = "all"


def _client_ip(request):
    return request.META.get("REMOTE_ADDR", "")


def _toggle_url(params, key, value):
    """The current URL's query with one filter value added or removed (and back to page 1)."""
    pairs = [(k, v) for k, vs in params.lists() for v in vs if k != "page"]
    if (key, value) in pairs:
        pairs.remove((key, value))
    else:
        pairs.append((key, value))
    return "?" + urlencode(pairs) if pairs else "?"


class _Toggles:
    """`_toggle_url` for many values of one query: the query's pairs encoded once, a value not
    chosen appended to them (urlencode joins its pairs with "&", so the URL is the same)."""

    def __init__(self, params):
        self.params = params
        self.pairs = {(k, v) for k, vs in params.lists() for v in vs if k != "page"}
        self.encoded = urlencode([(k, v) for k, vs in params.lists() for v in vs if k != "page"])

    def url(self, key, value):
        if (key, value) in self.pairs:
            return _toggle_url(self.params, key, value)
        added = urlencode([(key, value)])
        return f"?{self.encoded}&{added}" if self.encoded else f"?{added}"


def _without_url(params, keys):
    """The current URL's query without the given parameters (and back to page 1)."""
    pairs = [(k, v) for k, vs in params.lists() for v in vs if k != "page" and k not in keys]
    return "?" + urlencode(pairs) if pairs else "?"


def _page_url(params, page):
    pairs = [(k, v) for k, vs in params.lists() for v in vs if k != "page"]
    pairs.append(("page", str(page)))
    return "?" + urlencode(pairs)


def _scoped(request, query):
    """(query, link parameters, scope) on this site.

    A district municipality's site shows its own registry unless the URL names municipalities
    or asks for all of them (`scope=all`); a provincial or metropolitan site searches
    everything. On a district site the links and the search form then name the municipalities
    outright (and `scope=all`), so that a tap on a filter keeps what is shown. `scope` describes
    the two ways to look, for the switch above the results (None on other sites)."""
    own = municipality_for_request(request)
    if own is None or own.kind != Municipality.Kind.DISTRICT:
        return query, request.GET, None
    if not query.municipality and request.GET.get(SCOPE) != SCOPE_ALL:
        query = query.with_values(municipality=(own.ubigeo,))
    params = request.GET.copy()
    params.setlist("municipality", list(query.municipality))
    params[SCOPE] = SCOPE_ALL
    plain = [(k, v) for k, vs in request.GET.lists() for v in vs if k not in {"page", "municipality", SCOPE}]
    scope = {
        "name": own.short_name,
        "local": query.municipality == (own.ubigeo,),
        "all": not query.municipality,
        "local_url": "?" + urlencode(plain) if plain else "?",
        "all_url": "?" + urlencode([*plain, (SCOPE, SCOPE_ALL)]),
    }
    return query, params, scope


@public_read
def directory_index(request, page):
    known = municipality_labels(needed=listed(request.GET, "municipality"))
    query = query_from_params(request.GET, municipalities=known)
    query, params, scope = _scoped(request, query)
    # The version the page cache and the page's shell read for this request: one query fewer.
    result = directory_search(query=query, version=request_version(request))
    facet_groups = []
    titles = {
        "kind": _("Type"),
        "sector": _("Sector"),
        "district": _("District"),
        "language": _("Languages"),
        "municipality": _("Registered by"),
    }
    param = {facet: facet for facet in FACETS}
    toggles = _Toggles(params)
    for facet in FACETS:
        values = [
            {
                "value": v.value,
                "label": v.label,
                "count": v.count,
                "selected": v.selected,
                "url": toggles.url(param[facet], v.value),
            }
            for v in result.facets[facet]
        ]
        # On a phone a long list of options pushes everything down; the first ones and any
        # chosen show, the rest sit behind a "see more" disclosure that opens by touch, without
        # JavaScript (a hover reveal never opens on a phone).
        shown = [v for i, v in enumerate(values) if i < FACET_VISIBLE or v["selected"]]
        more = [v for i, v in enumerate(values) if i >= FACET_VISIBLE and not v["selected"]]
        facet_groups.append(
            {
                "name": facet,
                "param": param[facet],
                "title": titles[facet],
                "values": values,
                "shown": shown,
                "more": more,
            }
        )
    active_filters = _active_filters(params, query, facet_groups, scope)
    _name_badges(hit.listing for hit in result.hits)
    pins = [
        {
            "name": h.listing.name,
            "lat": h.listing.latitude,
            "lon": h.listing.longitude,
            "slug": h.listing.slug,
        }
        for h in result.hits
        if h.listing.has_location
    ]
    return TemplateResponse(
        request,
        "search/directory_page.html",
        {
            "page": page,
            "self": page,
            "query": query,
            "result": result,
            "facet_groups": facet_groups,
            "active_filters": active_filters,
            "scope": scope,
            "sorts": [
                (Sort.RELEVANCE, _("Best match")),
                (Sort.NEWEST, _("Newest")),
                (Sort.NAME, _("Name")),
                *([(Sort.DISTANCE, _("Nearest"))] if query.has_point else []),
            ],
            "previous_url": _page_url(params, query.page - 1) if result.has_previous else "",
            "next_url": _page_url(params, query.page + 1) if result.has_next else "",
            "pins": pins,
            "pins_json": json.dumps(pins),
            "badge_choices": _badge_choices(),
            "search_degraded": bool(settings.ELASTICSEARCH_URL) and result.backend == "database",
        },
    )


def _active_filters(params, query, facet_groups, scope=None):
    """The filters in force, each with the link that removes it: shown above the results so that
    after a tap on a filter the person sees what narrowed the list and can undo it there. (The
    site's own registry, when it is what is shown, is said by the scope switch instead.)"""
    active = [
        {"label": v["label"], "url": v["url"]}
        for group in facet_groups
        for v in group["values"]
        if v["selected"] and not (group["name"] == "municipality" and scope and scope["local"])
    ]
    badge_labels = dict(_badge_choices()) if query.badges else {}
    active += [
        {"label": badge_labels.get(code, code), "url": _toggle_url(params, "badge", code)}
        for code in query.badges
    ]
    if query.open_now:
        active.append({"label": _("Open now"), "url": _without_url(params, {"open_now"})})
    if query.has_point:
        active.append({"label": _("Near a point"), "url": _without_url(params, {"lat", "lon", "radius_km"})})
    return active


def _name_badges(listings):
    labels = badge_labels()
    for listing in listings:
        listing.badge_names = [labels.get(code, code) for code in listing.badges]


def _hours(listing, now):
    """The week's opening hours as rows (today marked) and whether it is open now, in Lima time."""
    today = timezone.localtime(now).weekday()
    rows = [
        {
            "day": WEEKDAY_LABELS[day],
            "ranges": ", ".join(
                f"{opens}\u2013{closes}" for opens, closes in listing.opening_hours.get(day) or []
            ),
            "today": index == today,
        }
        for index, day in enumerate(WEEKDAYS)
    ]
    return rows, listing.is_open_at(now)


def _badge_choices():
    return [(code, label) for code, label, optional in formalization_steps() if not optional]


def _json_ld(listing, url):
    data = {
        "@context": "https://schema.org",
        "@type": "LocalBusiness" if listing.kind == "business" else "Organization",
        "name": listing.name,
        "description": listing.short_description or listing.description[:280],
        "url": url,
        "identifier": listing.registry_number,
    }
    if listing.phone:
        data["telephone"] = listing.phone
    if listing.email:
        data["email"] = listing.email
    if listing.website:
        data["sameAs"] = [link for link in (listing.website,) if link]
    address = {"@type": "PostalAddress", "addressLocality": listing.district_name, "addressCountry": "PE"}
    if listing.address:
        address["streetAddress"] = listing.address
    data["address"] = address
    if listing.has_location:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": listing.latitude,
            "longitude": listing.longitude,
        }
    return json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)


@public_read
def directory_listing(request, page, slug):
    listing = find_listing(slug=slug)
    if listing is None:
        merged = Organization.objects.filter(slug=slug).first()
        survivor = duplicates.survivor_of(merged) if merged is not None else None
        if survivor is not None and survivor.is_published:  # merged into another record
            return redirect(page.get_url(request) + survivor.slug + "/")
        raise Http404(_("This listing is not published."))
    form = ListingReportForm(request.POST or None, prefix="report")
    if request.method == "POST":
        key = f"directory:reports:{_client_ip(request)}"
        if form.is_valid():
            if form.cleaned_data.get("website"):
                return redirect(request.path + "?reported=1")
            sent = cache.get(key, 0)
            if sent >= REPORTS_PER_HOUR:
                messages.error(request, _("You have sent several reports already; please try again later."))
                return redirect(request.path)
            cache.set(key, sent + 1, 3600)
            report = form.save(commit=False)
            report.organization = Organization.objects.get(pk=listing.organization_id)
            report.save()
            messages.success(request, _("Thank you. The municipal staff will review your report."))
            return redirect(request.path + "?reported=1")
    url = request.build_absolute_uri(request.path)
    _name_badges([listing])
    hours, open_now = _hours(listing, timezone.now()) if listing.opening_hours else ([], False)
    social = [
        (label, link)
        for label, link in (
            ("Facebook", listing.facebook),
            ("Instagram", listing.instagram),
            ("TikTok", listing.tiktok),
        )
        if link
    ]
    return TemplateResponse(
        request,
        "search/listing_detail.html",
        {
            "page": page,
            "self": page,
            "listing": listing,
            "json_ld": _json_ld(listing, url),
            "share_url": url,
            "share_whatsapp": "https://wa.me/?" + urlencode({"text": f"{listing.name} {url}"}),
            "form": form,
            "reported": request.GET.get("reported") == "1",
            "hours": hours,
            "open_now": open_now,
            "social": social,
            "legal_form_label": LegalForm(listing.legal_form).label
            if listing.legal_form in LegalForm.values
            else "",
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )
