"""What the public sees of a listing, asked by the templates of the directory and the listing
page as `registry.public` states it: `{% with since=listing|unconfirmed_since %}` is the day of
the last confirmation when the listing shows "Unconfirmed since <date>", else None."""

from django import template

from registry import public

register = template.Library()


@register.filter
def unconfirmed_since(listing):
    return public.unconfirmed_since(listing)
