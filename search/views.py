"""Directory views, routed by cms.DirectoryPage. The search issue replaces the simple listing
below with the search interface of search/ (query object in, results with facets out)."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from registry.models import Organization


def directory_index(request, page):
    listings = Organization.objects.published().select_related("sector", "district")
    paginator = Paginator(listings, 20)
    return TemplateResponse(
        request,
        "search/directory_page.html",
        {"page": page, "self": page, "results": paginator.get_page(request.GET.get("page"))},
    )


def directory_listing(request, page, slug):
    listing = get_object_or_404(Organization.objects.published(), slug=slug)
    return TemplateResponse(
        request, "search/listing_detail.html", {"page": page, "self": page, "listing": listing}
    )
