from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class LinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Text"))
    page = blocks.PageChooserBlock(required=False, label=_("Page"))
    url = blocks.URLBlock(required=False, label=_("External address"))

    class Meta:
        icon = "link"
        label = _("Link")
        template = "cms/blocks/link.html"


class OfficialLinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Text"))
    url = blocks.URLBlock(label=_("Address"))

    class Meta:
        icon = "link-external"
        label = _("Official link")


class FormalizationStepBlock(blocks.StructBlock):
    """One step of a formalization guide, e.g. "Get your RUC at SUNAT".

    `code` ties the explanation to the registry's FormalizationStep of the same code, so the
    applicant's personal path links here and editors keep the text current without code.
    """

    code = blocks.CharBlock(
        required=False,
        max_length=50,
        label=_("Step code"),
        help_text=_("Matches a formalization step of the registry, e.g. 'ruc'."),
    )
    title = blocks.CharBlock(label=_("Title"))
    who_for = blocks.CharBlock(required=False, label=_("Who it is for"))
    summary = blocks.RichTextBlock(
        required=False, features=["bold", "italic", "link", "ul"], label=_("Explanation")
    )
    documents = blocks.ListBlock(blocks.CharBlock(label=_("Document")), label=_("Documents needed"))
    cost = blocks.CharBlock(required=False, label=_("Cost"))
    duration = blocks.CharBlock(required=False, label=_("Time it takes"))
    where = blocks.CharBlock(required=False, label=_("Where to go"))
    links = blocks.ListBlock(OfficialLinkBlock(), label=_("Official links"))

    class Meta:
        icon = "list-ol"
        label = _("Formalization step")
        template = "cms/blocks/formalization_step.html"


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", icon="title", label=_("Heading"))
    paragraph = blocks.RichTextBlock(label=_("Paragraph"))
    image = ImageBlock(label=_("Image"))
    callout = blocks.RichTextBlock(
        features=["bold", "italic", "link"], icon="warning", label=_("Highlighted note")
    )
    link = LinkBlock()
