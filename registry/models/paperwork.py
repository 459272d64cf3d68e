"""The paperwork the portal drafts from an organization's data, and the texts it drafts it from.

A `PaperworkTemplate` is the text of one kind of document (application letter, minutes, member
list, statute) that staff edit in the admin: the default for every municipality (no
municipality) or a municipality's own, which replaces the default there. Its placeholders
(`$nombre`, `$representante`, `$miembros`…) are filled by registry.paperwork.

A `PaperworkDraft` is what was drafted for one organization, as a PDF to print and sign and as
an editable DOCX. It holds names and identity numbers, so it is kept in the private storage of
the supporting documents and follows their rules: served only to the organization's managers and
to staff of its municipality (registry.views.paperwork), never public, deleted with its
organization and by the retention of documents.

Drafts are not `SupportingDocument` rows on purpose: those are what the applicant hands in, and
a document there counts as handed in (an unsigned drafted statute would satisfy "Upload the
statute" and become a step's evidence), counts against the upload limits, and rides in the
registration's revisions, so drafting after the first submission would read as a proposal of
changes for staff to approve. A draft is none of that: it is derived from the data and
replaced whenever the applicant drafts again.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import PreviewableMixin

from .documents import private_storage


class PaperworkKind(models.TextChoices):
    APPLICATION_LETTER = "application_letter", _("Application letter")
    FOUNDING_MINUTES = "founding_minutes", _("Minutes of the founding assembly")
    BOARD_MINUTES = "board_minutes", _("Minutes of the board's election")
    MEMBER_LIST = "member_list", _("Member list (padrón)")
    STATUTE = "statute", _("Statute")


class PaperworkTemplate(PreviewableMixin, models.Model):
    kind = models.CharField(max_length=30, choices=PaperworkKind.choices, verbose_name=_("document"))
    municipality = models.ForeignKey(
        "registry.Municipality",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="paperwork_templates",
        verbose_name=_("municipality"),
        help_text=_(
            "Empty: the default for every municipality. A municipality's own text replaces it there."
        ),
    )
    title = models.CharField(max_length=200, verbose_name=_("title"))
    body = models.TextField(
        verbose_name=_("text"),
        help_text=_(
            "Paragraphs separated by an empty line; a paragraph that starts with “# ” is a heading. "
            "Placeholders such as $nombre or ${representante} are replaced by the organization's "
            "data; a paragraph holding only $consejo_directivo, $miembros or $firmas_consejo "
            "becomes a table. Write $$ for a dollar sign."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        ordering = ["kind", "municipality__name"]
        verbose_name = _("paperwork template")
        verbose_name_plural = _("paperwork templates")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "municipality"], name="one_paperwork_template_per_kind_and_municipality"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(municipality__isnull=True),
                name="one_default_paperwork_template_per_kind",
            ),
        ]

    def __str__(self):
        where = self.municipality.short_name if self.municipality_id else _("default")
        return f"{self.get_kind_display()} ({where})"

    def clean(self):
        from ..paperwork import placeholder_problems

        errors = {}
        for field in ("title", "body"):
            problems = placeholder_problems(getattr(self, field) or "")
            if problems:
                errors[field] = problems
        if errors:
            raise ValidationError(errors)

    # ----- preview (Wagtail): the draft of a sample organization, never a real one's data -----

    @property
    def preview_modes(self):
        return [("", _("Page")), ("pdf", "PDF")]

    def get_preview_template(self, request, mode_name):
        return "registry/paperwork/preview.html"

    def get_preview_context(self, request, mode_name):
        from ..paperwork import draft_from_template, sample_context

        context = super().get_preview_context(request, mode_name)
        context["draft"] = draft_from_template(self, sample_context(self.municipality))
        return context

    def serve_preview(self, request, mode_name):
        if mode_name != "pdf":
            return super().serve_preview(request, mode_name)
        from django.http import HttpResponse

        from ..paperwork import draft_from_template, sample_context
        from ..paperwork_files import render_pdf

        response = HttpResponse(
            render_pdf(draft_from_template(self, sample_context(self.municipality))),
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response


def draft_upload_to(instance, filename):
    """Random names, as for the supporting documents: a name would tell whose file it is."""
    suffix = ".docx" if filename.endswith(".docx") else ".pdf"
    return f"paperwork/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}{suffix}"


class PaperworkDraft(models.Model):
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="paperwork_drafts"
    )
    kind = models.CharField(max_length=30, choices=PaperworkKind.choices, verbose_name=_("document"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    pdf = models.FileField(storage=private_storage, upload_to=draft_upload_to, max_length=200)
    docx = models.FileField(storage=private_storage, upload_to=draft_upload_to, max_length=200)
    generated_at = models.DateTimeField(default=timezone.now, verbose_name=_("prepared on"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organization", "kind"]
        verbose_name = _("drafted document")
        verbose_name_plural = _("drafted documents")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], name="one_paperwork_draft_per_kind")
        ]

    def __str__(self):
        return self.get_kind_display()

    def files(self):
        return [f for f in (self.pdf, self.docx) if f.name]


@receiver(post_delete, sender=PaperworkDraft)
def _delete_draft_files(sender, instance, **kwargs):
    """The files go with the row, however it is deleted (with its organization, by retention)."""
    for stored in instance.files():
        stored.storage.delete(stored.name)
