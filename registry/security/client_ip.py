"""The client's address, the same for every limit: django-ratelimit (RATELIMIT_IP_META_KEY),
django-allauth (its adapter's get_client_ip) and the API's throttle (search.api).

Behind TRUSTED_PROXY_COUNT proxies, each appending the address it saw to X-Forwarded-For, the
client is the entry that many places from the end: whatever a client writes in the header itself
sits further left and is never read. With no proxy (0, the default) the header is ignored
altogether, since anyone can send it; keying on the whole header (as before) let a client pick a
new identity per request, and keying on REMOTE_ADDR behind a proxy made the whole city one
address.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote  # did not come through every proxy: only the connection is known
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote  # a proxy always writes an address; anything else was not written by one
