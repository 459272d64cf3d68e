"""Staff's decisions on likely duplicates, from a record's review screen: link, merge, dismiss.

Each POST calls one service of registry.services.duplicates, which checks who may decide;
its refusal becomes a message on the review screen."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..models import DuplicateCandidate
from ..services import duplicates
from .review_admin import _organization

NOTE_MAX_LENGTH = 500


def _candidate(request, pk, candidate_pk) -> DuplicateCandidate:
    organization = _organization(request, pk)  # staff who may open this record's review
    return get_object_or_404(
        DuplicateCandidate.objects.select_related("first", "second"),
        Q(first=organization) | Q(second=organization),
        pk=candidate_pk,
    )


def _decision(action, success):
    @require_POST
    def view(request, pk, candidate_pk):
        candidate = _candidate(request, pk, candidate_pk)
        note = request.POST.get("note", "").strip()[:NOTE_MAX_LENGTH]
        kwargs = {}
        if action == "merge":
            survivor = request.POST.get("survivor", "")
            if not survivor.isdigit():
                messages.error(request, _("Choose which of the two records to keep."))
                return redirect("registry_review:detail", pk)
            kwargs["survivor_id"] = int(survivor)
        try:
            getattr(duplicates, action)(candidate=candidate, user=request.user, note=note, **kwargs)
        except (duplicates.DuplicateConflict, PermissionDenied) as error:
            messages.error(request, str(error) or _("You cannot do this."))
        else:
            messages.success(request, success())
        return redirect("registry_review:detail", pk)

    view.__name__ = f"duplicate_{action}"
    return view


link = _decision("link", lambda: _("The two records are linked; both stay."))
merge = _decision("merge", lambda: _("The records are merged; the other one now leads to the record kept."))
dismiss = _decision("dismiss", lambda: _("Marked as not a duplicate."))

urlpatterns = [
    path("<int:pk>/duplicates/<int:candidate_pk>/link/", link, name="duplicate_link"),
    path("<int:pk>/duplicates/<int:candidate_pk>/merge/", merge, name="duplicate_merge"),
    path("<int:pk>/duplicates/<int:candidate_pk>/dismiss/", dismiss, name="duplicate_dismiss"),
]
