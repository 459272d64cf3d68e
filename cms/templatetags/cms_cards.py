"""The directory's result card, `{% listing_card hit base_url %}`, and its facets' options,
`{% facet_value value %}`.

Written in Python rather than as an included template: in Django's template engine a card cost
about 280 µs of CPU (some forty variable look-ups, translations and filters, each resolved
node by node), twenty of them a third of the page made for a new search (docs/benchmarks.md,
"Where the directory page's time goes"); here it costs a tenth of that. The markup is the one
the template gave, byte for byte (tests/cms/test_listing_card.py pins each branch).

The part of a card that is the same on every search (the "unconfirmed since" notice, the
badges, the contact links, whose phone numbers are parsed) is kept per index version, language
and day (cms/templatetags/cms_fragments.py); the name, the place and distance and the text
follow the search (highlights, the point searched from).
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from registry import public

from .cms_fragments import kept

register = template.Library()


def _head(hit, listing, base_url) -> str:
    highlights = hit.highlights
    name = highlights.get("name") or escape(listing.name)
    parts = [
        f'\n<article class="card listing-card">\n  <h3><a href="{escape(base_url)}{escape(listing.slug)}/">'
        f"{name}</a></h3>\n  \n  "
    ]
    sector = escape(listing.sector_label)
    approximate = hit.approximate_km
    if approximate is not None:
        place = gettext("in %(district)s") % {"district": escape(listing.district_name)}
        if approximate:
            away = ngettext("about %(km)s km away", "about %(km)s km away", approximate) % {"km": approximate}
        else:
            away = escape(gettext("less than 1 km away"))
        parts.append(f'\n  <p class="meta">{sector} · {place} · {away}</p>\n  ')
    else:
        district = f" · {escape(listing.district_name)}" if listing.district_name else ""
        distance = ""
        if hit.distance_km is not None:
            distance = " · " + gettext("%(km)s km") % {"km": floatformat(hit.distance_km, 1)}
        parts.append(f'\n  <p class="meta">{sector}{district}{distance}</p>\n  ')
    parts.append("\n  ")
    for field in ("short_description", "services", "description"):
        if highlights.get(field):
            parts.append(f"<p>{highlights[field]}</p>\n  ")
            break
    else:
        if listing.short_description:
            parts.append(f"<p>{escape(listing.short_description)}</p>")
    parts.append("\n  ")
    return "".join(parts)


def _tail(listing) -> str:
    parts = []
    since = public.unconfirmed_since(listing)
    if since:
        notice = gettext("Data unconfirmed since %(date)s") % {
            "date": escape(date_filter(since, "DATE_FORMAT"))
        }
        parts.append(
            f'<p class="meta unconfirmed"><time datetime="{escape(date_filter(since, "Y-m-d"))}">{notice}</time></p>'
        )
    parts.append("\n  ")
    if listing.badges:
        badges = "".join(
            f'<li class="badge">{conditional_escape(badge)}</li>' for badge in listing.badge_names
        )
        label = escape(gettext("Verified by the municipality"))
        parts.append(f'<ul class="badges" aria-label="{label}">{badges}</ul>')
    parts.append('\n  \n  <p class="contact">\n    ')
    name = escape(listing.name)
    whatsapp, phone = listing.whatsapp_link, listing.phone_link
    if whatsapp:
        parts.append(_contact_button("whatsapp", whatsapp, gettext("WhatsApp"), name, ' rel="noopener"'))
    parts.append("\n    ")
    if phone:
        parts.append(_contact_button("phone", phone, gettext("Call"), name))
    parts.append("\n  </p>")
    return "".join(parts)


def _contact_button(kind: str, href: str, label: str, name: str, attributes: str = "") -> str:
    """A card's WhatsApp or call link; the listing's name (escaped) is read out after the label."""
    return (
        f'<a class="button {kind}" href="{escape(href)}"{attributes}>{escape(label)}'
        f'<span class="visually-hidden"> {name}</span></a>'
    )


@register.simple_tag(takes_context=True)
def listing_card(context, hit, base_url):
    """A search hit as the directory's results list shows it (highlights are escaped HTML)."""
    listing = hit.listing
    tail = kept(context, "card", [listing.organization_id], lambda: _tail(listing))
    return mark_safe(f"{_head(hit, listing, base_url)}{tail}\n</article>\n")  # noqa: S308 (escaped above)


@register.simple_tag
def facet_value(value):
    """One option of a facet (a dict: label, count, url, selected) with its link; a page shows
    a few dozen of them, written here for the same reason as the cards."""
    selected = value["selected"]
    current = ' aria-current="true" class="selected"' if selected else ""
    note = ""
    if selected:
        hint = escape(
            gettext("(selected; select to remove)")
        )  # makemessages cannot see a call inside an f-string
        note = f'<span class="visually-hidden">{hint}</span>'
    return mark_safe(  # noqa: S308 (escaped here)
        f'<li>\n  <a href="{conditional_escape(value["url"])}"{current}>\n'
        f'    <span class="box" aria-hidden="true">{"☑" if selected else "☐"}</span>\n'
        f'    {conditional_escape(value["label"])} <span class="count">({localize(value["count"])})</span>\n'
        f"    {note}\n  </a>\n</li>\n"
    )
