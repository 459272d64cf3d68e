"""Which municipality's registrations a staff member reaches: the one place that says it.

Staff serve a municipality by belonging to one of its groups (registry.models.MunicipalStaffGroup)
and may serve several; superusers serve all. Every staff read of registrations and what hangs off
them (documents, observations, reports, imports, exports, the dashboard, personal-data requests)
goes through `within_reach`, and every staff action through `serves` (registry.services.review),
so nothing of another municipality is visible or changeable.

The ids a person serves are read once per user object (one query per request) and applied as a
literal `IN (…)`: the cost does not grow with the number of municipalities on the installation.
"""

from django.db.models import QuerySet

from .models import Municipality, home_municipality

_CACHE_ATTRIBUTE = "_served_municipality_ids"


def served_municipality_ids(user) -> frozenset[int] | None:
    """The ids of the municipalities `user` serves; None means all of them (a superuser)."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return None
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = frozenset(Municipality.objects.served_by(user).values_list("pk", flat=True))
        if user.is_authenticated:
            setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def forget(user) -> None:
    """Drop the cached answer (after the person's groups change within one request)."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def serves(user, municipality_id) -> bool:
    ids = served_municipality_ids(user)
    return ids is None or municipality_id in ids


def within_reach(queryset: QuerySet, user, field: str = "municipality") -> QuerySet:
    """`queryset` limited to the municipalities `user` serves; `field` leads from its model to
    the municipality ("organization__municipality" for documents, reports, …)."""
    ids = served_municipality_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": ids})


def municipalities_served(user) -> QuerySet:
    ids = served_municipality_ids(user)
    queryset = Municipality.objects.all()
    return queryset if ids is None else queryset.filter(pk__in=ids)


def municipality_for_site(site) -> Municipality | None:
    """The municipality a Wagtail site belongs to; a site of none (or no site) means the
    installation's home municipality."""
    if site is not None:
        municipality = getattr(site, "municipality", None)
        if municipality is not None:
            return municipality
    return home_municipality()


def municipality_for_request(request) -> Municipality | None:
    """The municipality whose site serves this request, read once per request."""
    if not hasattr(request, "_municipality"):
        from wagtail.models import Site

        request._municipality = municipality_for_site(Site.find_for_request(request))
    return request._municipality
