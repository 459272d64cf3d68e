"""The drafted paperwork of an organization, for the applicant's page and staff's review page
(templates/registry/paperwork/). Both pages already decided who may see the organization."""

from django import template

from ..services.paperwork import paperwork_available

register = template.Library()


@register.simple_tag
def paperwork_drafts(organization):
    return list(organization.paperwork_drafts.all())


@register.simple_tag
def paperwork_offered(organization):
    return paperwork_available(organization)
