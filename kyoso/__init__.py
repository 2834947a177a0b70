"""Kyoso (共創): a prefecture's platform for municipal DX assessment and support."""
