"""Web users: what stays the same across a user's sessions (place, device, ids)."""

from __future__ import annotations

import ipaddress
import random
from typing import Any

from datagen.engine.actors import Actor
from datagen.engine.models.web.config import WebConfig

#: Platform tokens per operating system, as user agents carry them.
PLATFORMS = {
    "Windows": ["Windows NT 10.0; Win64; x64", "Windows NT 6.3; Win64; x64"],
    "MacOS": ["Macintosh; Intel Mac OS X 10_15_7", "Macintosh; Intel Mac OS X 14_2"],
    "Linux": ["X11; Linux x86_64", "X11; Ubuntu; Linux x86_64"],
    "Android": ["Linux; Android 13; Pixel 7", "Linux; Android 14; SM-S918B"],
    "iOS": [
        "iPhone; CPU iPhone OS 17_2 like Mac OS X",
        "iPad; CPU OS 16_6 like Mac OS X",
    ],
}
_WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)"


def user_agent(browser: str, platform: str, mobile: bool, rng: random.Random) -> str:
    """A plausible user agent for the browser on the platform."""
    major = rng.randint(100, 124)
    build = f"{major}.0.{rng.randint(4000, 6400)}.{rng.randint(10, 200)}"
    safari = "Mobile Safari/537.36" if mobile else "Safari/537.36"
    if browser == "Chrome":
        return f"Mozilla/5.0 ({platform}) {_WEBKIT} Chrome/{build} {safari}"
    if browser == "Opera":
        opera = f"{major - 14}.0.{rng.randint(4000, 5000)}.{rng.randint(10, 99)}"
        return f"Mozilla/5.0 ({platform}) {_WEBKIT} Chrome/{build} {safari} OPR/{opera}"
    if browser == "Firefox":
        return (
            f"Mozilla/5.0 ({platform}; rv:{major}.0) Gecko/20100101 Firefox/{major}.0"
        )
    if browser == "Safari":
        version = f"{rng.randint(14, 17)}.{rng.randint(0, 6)}"
        return (
            f"Mozilla/5.0 ({platform}) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            f"Version/{version} {'Mobile/15E148 ' if mobile else ''}Safari/605.1.15"
        )
    if browser == "InternetExplorer":
        return f"Mozilla/5.0 ({platform}; Trident/7.0; rv:11.0) like Gecko"
    return f"Mozilla/5.0 ({platform}) {browser}/{major}.0"


def public_ipv4(rng: random.Random) -> str:
    """A random address that is routable on the internet (no private ranges)."""
    while True:
        address = ipaddress.IPv4Address(rng.getrandbits(32))
        if address.is_global:
            return str(address)


def user_fields(actor: Actor, config: WebConfig) -> dict[str, Any]:
    """The user's fields of every event, in the event's order (geo_* ... ids).

    Drawn from actor.rng; ids come from the actor's profile (email, uuid)
    when it has them.
    """
    rng = actor.rng
    place = config.locations[rng.randrange(len(config.locations))]
    system = config.operating_systems.draw(rng)
    device = config.devices[system].draw(rng)
    mobile = device != "Computer"
    platform = rng.choice(PLATFORMS.get(system, [system]))
    browser = config.browsers.draw(rng)
    profile = actor.profile
    return {
        "geo_latitude": place.latitude,
        "geo_longitude": place.longitude,
        "geo_country": place.country,
        "geo_timezone": place.timezone,
        "geo_region_name": place.region,
        "ip_address": public_ipv4(rng),
        "browser_name": browser,
        "browser_user_agent": user_agent(browser, platform, mobile, rng),
        "browser_language": config.languages.draw(rng),
        "os": platform,
        "os_name": system,
        "os_timezone": place.timezone,
        "device_type": device,
        "device_is_mobile": mobile,
        "user_custom_id": profile.get("email") or f"user{actor.index}@example.com",
        "user_domain_id": actor.id,
    }
