"""Opinions for tests, through the services, with a distinct (hashed) device per person."""

from __future__ import annotations

from typing import Any

from dianti.core import ratelimit
from dianti.voices import services
from dianti.voices.models import Channel, Opinion


def submitter(who: str) -> services.Submitter:
    return services.Submitter(ip_hash=ratelimit.digest(f"ip-{who}"), device_hash=ratelimit.digest(f"dev-{who}"))


def opinion(org: Any, text: str, who: str = "villager", **kw: Any) -> Opinion:
    return services.opinion_submit(organization=org, text=text, submitter=submitter(who), **kw)


def visit(org: Any, text: str, met: int = 10, channel: str = Channel.VISIT) -> Opinion:
    return services.opinion_record(actor=None, organization=org, channel=channel, text=text, people_met=met)
