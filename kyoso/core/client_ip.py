"""The client's IP address, trusting exactly as many reverse proxies as configured.

Each trusted proxy appends the address it received the request from to
X-Forwarded-For, so with ``TRUSTED_PROXY_COUNT = N`` the client is the N-th entry
from the right; anything further left was written by the client and may be forged.
With no trusted proxy (the default) the header is ignored entirely.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
