"""What the session list shows about a device, kept coarse on purpose (data minimisation):
the browser family and system, and the network rather than the address (P1.5)."""

from __future__ import annotations

import ipaddress

_BROWSERS = (  # order matters: Edge and Opera say "Chrome", Chrome says "Safari"
    ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
    ("SamsungBrowser/", "Samsung Internet"), ("Chrome/", "Chrome"), ("CriOS/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (  # Android says "Linux", iOS says "Mac OS X"
    ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
    ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"),
)


def user_agent_family(user_agent: str) -> str:
    """"Firefox, Linux"; an empty string when neither is recognised."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    return ", ".join(part for part in (browser, system) if part)


def network_of(address: str, *, ipv4_prefix: int, ipv6_prefix: int = 48) -> str:
    """The network of an address at the given prefix lengths, so that only the network is
    ever stored; an IPv4-mapped IPv6 address counts as IPv4; empty when it is not one."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = ipv4_prefix if ip.version == 4 else ipv6_prefix
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def truncate_ip(address: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) network of a session's address (shown to its owner)."""
    return network_of(address, ipv4_prefix=24)
