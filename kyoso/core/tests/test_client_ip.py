import pytest
from django.test import RequestFactory, override_settings

from kyoso.core.client_ip import client_ip


def request_with(forwarded: str | None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "127.0.0.1"),  # no trusted proxy: the header is ignored
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "10.0.0.1, 203.0.113.5", "203.0.113.5"),  # the left entry is client-written
        (2, "10.0.0.1, 203.0.113.5, 172.16.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "127.0.0.1"),  # fewer entries than proxies: do not guess
        (1, None, "127.0.0.1"),
        (1, " , ", "127.0.0.1"),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(proxies, forwarded, expected):
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request_with(forwarded)) == expected
