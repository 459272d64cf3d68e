"""Staff's view of an application's notices and their "Resend" (/admin/registry/notifications/…).

The list is rendered on the review page (templates/registry/admin/notifications.html); the one
action here is a POST that asks registry.notifications.resend, which holds the rule: staff who
review and serve the organization's municipality (registry.jurisdiction), once the original is
sent or has failed. Anyone else gets the same 404 as for a notice that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import notifications
from ..jurisdiction import within_reach
from ..models import Notification


def notices_for(user, organization) -> list[Notification]:
    """The notices about `organization` that `user` may see, newest first ([] for others)."""
    if not user.has_perm("registry.review_organization"):
        return []
    return list(
        within_reach(
            Notification.objects.filter(organization=organization), user, "organization__municipality"
        )
        .select_related("organization", "resend_of")
        .order_by("-created_at", "-pk")
    )


@require_POST
def resend(request, pk):
    notification = get_object_or_404(Notification.objects.select_related("organization", "user"), pk=pk)
    if not notifications.can_resend(request.user, notification):
        raise Http404
    try:
        notifications.resend(notification, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The notice was queued to be sent again."))
    return redirect("registry_review:detail", notification.organization_id)


urlpatterns = [path("<int:pk>/resend/", resend, name="resend")]
