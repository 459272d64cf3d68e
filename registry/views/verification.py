from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from ..models import Organization


def verify(request, registry_number):
    """Anyone may check that a registration is real; only public fields are shown."""
    organization = get_object_or_404(
        Organization.objects.select_related("sector", "district"),
        registry_number=registry_number.strip().upper(),
    )
    return TemplateResponse(request, "registry/verify.html", {"organization": organization})
