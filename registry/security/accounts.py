"""django-allauth's adapter: the client address of registry.security.client_ip for its limits, and
the portal's name in its e-mails."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from wagtail.models import Site

from .client_ip import client_ip


def portal_name(request) -> str:
    """The name of the municipality's site the request came to (its Wagtail Site), else the
    installation's name."""
    site = Site.find_for_request(request) if request is not None else None
    return (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        # Its own reading (ALLAUTH_TRUSTED_PROXY_COUNT) fails with a 500 on a request that did not
        # come through the proxies; the portal's reads the same header once, for every limit.
        return client_ip(request) or super().get_client_ip(request)

    def send_mail(self, template_prefix, email, context):
        # allauth signs its e-mails with `current_site`, which without django.contrib.sites is the
        # host the request came to ("127.0.0.1:8000"); templates/account/email use this instead.
        return super().send_mail(
            template_prefix, email, {**context, "portal_name": portal_name(self.request)}
        )
