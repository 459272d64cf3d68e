"""django-allauth's adapter: the client address of registry.security.client_ip for its limits."""

from allauth.account.adapter import DefaultAccountAdapter

from .client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        # Its own reading (ALLAUTH_TRUSTED_PROXY_COUNT) fails with a 500 on a request that did not
        # come through the proxies; the portal's reads the same header once, for every limit.
        return client_ip(request) or super().get_client_ip(request)
