"""The client's IP address, behind the documented HTTPS proxy or not. One home for the rule.

Used by the audit trail and by django-axes (AXES_CLIENT_IP_CALLABLE) for lock-out keys, so a
proxy's own address never stands for every user. X-Forwarded-For is client-controlled: it is
read only when the direct peer (REMOTE_ADDR) is a trusted proxy.

- `TRUSTED_PROXIES` (addresses or networks): the header is used only when REMOTE_ADDR is one
  of them; walking it from the right, the first address that is not a trusted proxy is the
  client.
- `TRUSTED_PROXY_COUNT` (used when no addresses are listed): exactly that many proxies append
  to the header; the client is the address they saw, `header[-count]`.
- Neither set (the default): REMOTE_ADDR only.
"""

import ipaddress

from django.conf import settings


def _parse(address):
    try:
        return ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return None


def _networks():
    return [ipaddress.ip_network(item, strict=False) for item in settings.TRUSTED_PROXIES]


def _trusted(address, networks):
    return address is not None and any(address in network for network in networks)


def _forwarded_chain(request):
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [_parse(part) for part in header.split(",") if part.strip()]


def client_ip(request):
    """Return the client's address as a string, or None without a request."""
    if request is None:
        return None
    peer_text = request.META.get("REMOTE_ADDR") or None
    peer = _parse(peer_text) if peer_text else None
    if settings.TRUSTED_PROXIES:
        networks = _networks()
        if not _trusted(peer, networks):
            return peer_text
        chain = _forwarded_chain(request)
        for address in reversed(chain):
            if address is None:
                break  # a malformed entry: stop trusting the header there
            if not _trusted(address, networks):
                return str(address)
        return peer_text
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        chain = _forwarded_chain(request)
        if len(chain) >= count and chain[-count] is not None:
            return str(chain[-count])
    return peer_text
