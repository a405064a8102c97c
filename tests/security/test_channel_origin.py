"""Which client address a channel believes (issue 12: the trusted origin the case look-up's limits
count by). X-Forwarded-For only from the proxies in GONGKAI_TRUSTED_PROXIES; the address kept as
a keyed hash, IPv6 per /64. Expected addresses are worked out by hand from the headers."""
from __future__ import annotations

import re
import uuid

import pytest

from bot.channels.origin import address_tag, client_ip
from bot.core.settings import SettingsError, parse_networks
from tests.channels import trackers

NGINX = parse_networks("10.0.0.5")  # deploy/nginx.conf's proxy
TWO_PROXIES = parse_networks("10.0.0.0/24, 192.0.2.1")


@pytest.mark.parametrize("peer, forwarded, proxies, expected", [
    ("203.0.113.7", None, NGINX, "203.0.113.7"),                       # no proxy in between
    ("203.0.113.7", "198.51.100.1", NGINX, "203.0.113.7"),             # forged by the client
    ("203.0.113.7", "198.51.100.1", (), "203.0.113.7"),                # nobody trusted (default)
    ("10.0.0.5", "203.0.113.7", NGINX, "203.0.113.7"),                 # nginx's own entry
    ("10.0.0.5", "198.51.100.1, 203.0.113.7", NGINX, "203.0.113.7"),   # the client wrote the first
    ("10.0.0.5", None, NGINX, "10.0.0.5"),                             # nothing forwarded
    ("10.0.0.5", "198.51.100.1, 203.0.113.7, 10.0.0.6", TWO_PROXIES, "203.0.113.7"),
    ("10.0.0.5", "203.0.113.7, not-an-address", NGINX, "10.0.0.5"),    # garbled: stop at nginx
    ("::ffff:10.0.0.5", "203.0.113.7", NGINX, "203.0.113.7"),          # IPv4-mapped peer
    ("10.0.0.5", "[2001:db8::1]", NGINX, "2001:db8::1"),
    ("", "203.0.113.7", NGINX, ""),
])
def test_the_forwarded_address_is_believed_only_from_a_trusted_proxy(peer, forwarded, proxies,
                                                                     expected):
    assert client_ip(peer, forwarded, proxies) == expected


def test_bad_proxy_settings_are_refused():
    with pytest.raises(SettingsError):
        parse_networks("10.0.0.5, nginx.local")


def test_the_address_is_kept_as_a_keyed_hash_ipv6_per_64():
    one = address_tag("203.0.113.7")
    assert re.fullmatch(r"[0-9a-f]{16}", one) and one == address_tag("203.0.113.7")
    assert one != address_tag("203.0.113.8")
    # 2001:db8:1:2::/64 is one subscriber's network; 2001:db8:1:3:: is the next one
    assert address_tag("2001:db8:1:2::1") == address_tag("2001:db8:1:2:ffff::9")
    assert address_tag("2001:db8:1:2::1") != address_tag("2001:db8:1:3::1")
    assert address_tag("not an address") == ""


@pytest.mark.servers
def test_a_client_cannot_choose_its_address_with_a_header(assistant):
    """The test servers trust no proxy: X-Forwarded-For changes nothing."""
    import json
    import urllib.request

    def origin_of(headers: dict) -> dict:
        sender = f"xff-{uuid.uuid4().hex[:8]}"
        request = urllib.request.Request(
            f"{assistant.rasa_url}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": "你好"}).encode(),
            headers={"Content-Type": "application/json", **headers})
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert answer.status == 200
        event = trackers.user_events(assistant.log_dir / "tracker.db", sender)[-1]
        return trackers.metadata(event)["gongkai_origin"]

    plain = origin_of({})
    assert origin_of({"X-Forwarded-For": "198.51.100.1"}) == plain
    assert origin_of({"X-Forwarded-For": "198.51.100.2, 127.0.0.1"}) == plain
