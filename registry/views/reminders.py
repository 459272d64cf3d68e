"""The page the yearly reminder links to: the listing's managers see what the directory shows of
them and confirm it in one step (a POST to `registry:confirm_listing`, the same service as "My
registrations"), or go to the wizard to propose changes, which staff review as any other."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import public
from ..phones import display
from ..selectors import managed_organization
from ..services import reminders, review


@never_cache
@login_required
@require_GET
def check_listing(request, pk):
    """A GET changes nothing: it shows the data and the buttons."""
    organization = managed_organization(user=request.user, pk=pk)  # 404 for anyone else
    values = public.public_values(organization)
    context = {
        "organization": organization,
        "listing": values,
        "phone": display(values["phone"]),
        "whatsapp": display(values["whatsapp"]),
        "can_confirm": review.can("confirm", user=request.user, organization=organization),
        "dates": reminders.confirmation_dates(organization),
        "unconfirmed_since": public.unconfirmed_since(organization),
        "change_url": reverse("registry:wizard", args=[organization.pk, "organizacion"]),
    }
    return TemplateResponse(request, "registry/check_listing.html", context)
