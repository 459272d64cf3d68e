"""The office's screen for personal-data requests made in person (Wagtail admin)."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .jurisdiction import within_reach
from .models import PersonalDataRequest
from .services import privacy

PERMISSION = "registry.handle_personal_data_request"


class DataRequestForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail of the person's account"))
    kind = forms.ChoiceField(label=gettext_lazy("Request"), choices=PersonalDataRequest.Kind.choices)
    notes = forms.CharField(
        label=gettext_lazy("Notes (how the identity was checked)"), max_length=300, required=False
    )
    confirm_deletion = forms.BooleanField(
        label=gettext_lazy("The person asked for deletion and I checked their identity"), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == PersonalDataRequest.Kind.DELETION and not data.get("confirm_deletion"):
            self.add_error("confirm_deletion", _("Confirm the deletion."))
        return data


def data_requests(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    form = DataRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subject = get_user_model().objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if subject is None:
            form.add_error("email", _("No account uses this e-mail address."))
        elif not privacy.is_applicant_account(subject):
            form.add_error(
                "email",
                _("This is a staff account. Staff accounts are managed by administrators, not here."),
            )
        elif not privacy.may_handle(request.user, subject):
            form.add_error(
                "email",
                _(
                    "This person also has registrations with another municipality: that "
                    "municipality's office or an administrator handles the request."
                ),
            )
        elif form.cleaned_data["kind"] == PersonalDataRequest.Kind.ACCESS:
            data = privacy.access_request(
                subject=subject, handled_by=request.user, notes=form.cleaned_data["notes"]
            )
            response = HttpResponse(
                json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
            )
            response["Content-Disposition"] = f'attachment; filename="datos-{subject.pk}.json"'
            response["Cache-Control"] = "private, no-store"
            return response
        else:
            privacy.deletion_request(
                subject=subject, handled_by=request.user, notes=form.cleaned_data["notes"]
            )
            messages.success(request, _("The account and its unsent drafts were deleted."))
            return redirect("registry_data_requests")
    context = {
        "form": form,
        "requests": within_reach(PersonalDataRequest.objects.all(), request.user, field="municipalities")
        .distinct()
        .select_related("handled_by")[:50],
        "header_title": _("Personal data requests"),
    }
    return TemplateResponse(
        request, "registry/admin/data_requests.html", context, status=400 if form.errors else 200
    )


@hooks.register("register_admin_urls")
def register_data_request_urls():
    return [path("datos-personales/", data_requests, name="registry_data_requests")]


@hooks.register("register_admin_menu_item")
def register_data_request_menu_item():
    class PermissionMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm(PERMISSION)

    return PermissionMenuItem(
        gettext_lazy("Personal data requests"), reverse("registry_data_requests"), icon_name="user", order=900
    )
