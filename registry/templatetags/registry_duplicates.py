"""The likely duplicates of a record on its review screen (templates/registry/admin/duplicates.html)."""

from django import template

from ..services import duplicates

register = template.Library()


@register.simple_tag
def duplicate_candidates(organization, user):
    """What `user` may see of `organization`'s likely duplicates (registry.services.duplicates)."""
    return duplicates.candidates_for(organization, user=user)
