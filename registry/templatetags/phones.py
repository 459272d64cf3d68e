"""Phone numbers in templates, as `registry.phones` shows and links them:
`{{ number|phone }}` ("987 654 321", "+58 412-1234567"), `{{ number|tel_href }}` ("tel:+51987654321",
never a space) and `{{ number|whatsapp_url }}` (none for a landline)."""

from django import template

from registry import phones

register = template.Library()


@register.filter
def phone(value):
    return phones.display(value or "")


@register.filter
def tel_href(value):
    return phones.tel_href(value or "")


@register.filter
def whatsapp_url(value):
    return phones.whatsapp_url(value or "")
