"""Public verification of a registration: anyone with a number (or the certificate's QR code) can
check it. Only public fields are shown; an unknown number is a 404. A withdrawn registration
shows its status and date only, unless staff chose otherwise. Rate-limited per client address:
numbers are sequential, and nobody needs hundreds of checks an hour."""

from io import BytesIO

import qrcode
import qrcode.image.svg
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django_ratelimit.decorators import ratelimit

from .. import certificates, public
from ..db_routing import public_read
from ..models import ApplicationStatus, Organization
from ..services import duplicates, review
from ..services.registry_numbers import normalize_registry_number
from ..timeline import public_history, withdrawal_details_public

VERIFY_RATE_PER_MINUTE = "30/m"
VERIFY_RATE_PER_HOUR = "300/h"


def _limited(view):
    view = ratelimit(key="ip", rate=VERIFY_RATE_PER_MINUTE, method=ratelimit.ALL, block=True)(view)
    return ratelimit(key="ip", rate=VERIFY_RATE_PER_HOUR, method=ratelimit.ALL, block=True)(view)


def _registration(registry_number: str) -> Organization:
    return get_object_or_404(
        Organization.objects.select_related("sector", "district").exclude(registry_number__isnull=True),
        registry_number=registry_number.strip().upper(),
    )


def _context(request, organization: Organization) -> dict:
    history = public_history(organization)
    approved = organization.status == ApplicationStatus.APPROVED
    withdrawn = approved and not organization.live
    return {
        # Withdrawn, a registration says only that and since when: a listing may be withdrawn for
        # its owner's safety, and sequential numbers would otherwise list every one by name.
        "status_only": withdrawn and not withdrawal_details_public(organization),
        "organization": organization,
        # A registration taken off the directory (unpublished) stays on the register but is
        # said to be withdrawn, and no certificate presents it as in force meanwhile.
        "is_valid": approved and organization.live,
        "is_withdrawn": approved and not organization.live,
        # What the page and the certificate show of it: the public values, never raw fields.
        "public": public.public_values(organization, badges=()),
        "is_suspended": organization.status == ApplicationStatus.SUSPENDED,
        "is_listed": organization.is_published,
        "history": history,
        "since": _last(history, review.UNPUBLISH if approved else review.SUSPEND),
        "verification_url": request.build_absolute_uri(organization.get_verification_url()),
    }


def _last(history, action):
    """When the latest event of this kind happened (the date a suspension or withdrawal began)."""
    dates = [event.when for event in history if event.action == action]
    return dates[-1] if dates else None


@_limited  # it says whether a number exists: as limited as the verification page
@public_read
def lookup(request):
    """/verify/ with no number: a form to type one, with or without dashes, in any case."""
    typed = request.GET.get("numero", "").strip()
    error = ""
    if typed:
        number = normalize_registry_number(typed)
        if Organization.objects.filter(registry_number=number).exists():
            return redirect("registry:verify", number)
        error = _("We found no registration with the number %(number)s. Check it and try again.") % {
            "number": number
        }
    elif "numero" in request.GET:
        error = _("Type the registry number, as it appears on the certificate.")
    return TemplateResponse(
        request,
        "registry/verify_lookup.html",
        {"typed": typed, "error": error},
        status=404 if typed and error else (400 if error else 200),
    )


# Short cache: a suspension must show within minutes, but a QR scan storm should not hit the DB.
@cache_control(public=True, max_age=60)
@_limited
@public_read
def verify(request, registry_number):
    """Whether this registration is valid, since when, and for which organization."""
    number = normalize_registry_number(registry_number)
    if number != registry_number:  # typed without dashes or in lower case: one address for each
        return redirect("registry:verify", number, permanent=True)
    organization = _registration(registry_number)
    survivor = duplicates.survivor_of(organization)
    if survivor is not None and survivor.registry_number:  # merged: one organization, one record
        return redirect("registry:verify", survivor.registry_number)
    return TemplateResponse(request, "registry/verify.html", _context(request, organization))


def qr_svg(url: str) -> str:
    """An inline SVG QR code (no image file to store, prints sharp at any size)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


def _certificate_context(request, registry_number) -> dict | None:
    """The certificate's context, or None when this registration gets no certificate: only a
    valid one (not suspended, not withdrawn) is presented as in force, on paper or as a PDF."""
    organization = _registration(registry_number)
    context = _context(request, organization)
    return context if context["is_valid"] else None


@cache_control(public=True, max_age=60)
@_limited
@public_read
def certificate(request, registry_number):
    """A printable certificate with a QR code pointing to the verification page; valid ones only."""
    context = _certificate_context(request, registry_number)
    if context is None:
        return redirect("registry:verify", normalize_registry_number(registry_number))
    context["qr_svg"] = mark_safe(qr_svg(context["verification_url"]))  # noqa: S308 (generated by qrcode)
    context["pdf_url"] = reverse("registry:certificate_pdf", args=[context["organization"].registry_number])
    return TemplateResponse(request, "registry/certificate.html", context)


@cache_control(public=True, max_age=60)
@_limited
@public_read
def certificate_pdf(request, registry_number):
    """The same certificate as a one-page A4 PDF, to keep or send by WhatsApp; valid ones only."""
    context = _certificate_context(request, registry_number)
    if context is None:
        return redirect("registry:verify", normalize_registry_number(registry_number))
    organization, shown = context["organization"], context["public"]
    facts = [
        (_("Registry number"), organization.registry_number),
        (_("Kind"), f"{organization.get_kind_display()} · {organization.get_legal_form_display()}"),
    ]
    if organization.sector:
        facts.append((_("Sector"), str(organization.sector)))
    if shown["district_name"]:
        facts.append((_("District"), shown["district_name"]))
    if shown["ruc"]:
        facts.append(("RUC", shown["ruc"]))
    if organization.registered_at:
        since = date_format(timezone.localtime(organization.registered_at), "DATE_FORMAT")
        facts.append((_("Registered since"), since))
    text = certificates.CertificateText(
        # The office's details are the site's (cms) settings, read as the page reads them.
        office=render_to_string("registry/certificate_office.txt", request=request).strip(),
        name=shown["name"],
        facts=facts,
        verification_url=context["verification_url"],
        registry_number=organization.registry_number,
    )
    response = HttpResponse(certificates.certificate_pdf(text), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificado-{organization.registry_number}.pdf"'
    return response
