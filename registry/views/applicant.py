from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from ..models import Organization


def start(request):
    return TemplateResponse(request, "registry/start.html", {})


@login_required
def my_registrations(request):
    organizations = Organization.objects.managed_by(request.user).select_related("sector", "district")
    return TemplateResponse(request, "registry/my_registrations.html", {"organizations": organizations})
