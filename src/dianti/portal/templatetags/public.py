"""Template helpers of the public pages: ``|redact`` (no phone or ID number in what people wrote) and
``{% qr path label %}`` (the QR code of a public page's full address, drawn once and kept)."""

from __future__ import annotations

import hashlib
import re

from django import template
from django.core.cache import cache
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

# A mainland mobile number (11 digits from 13–19), and a resident ID number (17 digits and a check digit or X), each
# not part of a longer run of digits. Spaces or dashes inside a number are allowed, as people type them.
_PHONE = re.compile(r"(?<![0-9])1[3-9](?:[ -]?[0-9]){9}(?![0-9])")
_ID_NUMBER = re.compile(r"(?<![0-9])[1-9](?:[ -]?[0-9]){16}[ -]?[0-9Xx](?![0-9A-Za-z])")
QR_SECONDS = 86400


@register.filter
def redact(text: str | None) -> str:
    """Return ``text`` with any ID number or mobile phone number in it hidden: a villager who wrote theirs into an
    opinion has it kept from the public page (moderation may miss it; this never does)."""
    if not text:
        return ""
    text = _ID_NUMBER.sub(_("［证件号已隐去］"), str(text))
    return _PHONE.sub(_("［手机号已隐去］"), text)


@register.simple_tag(takes_context=True)
def qr(context: template.Context, path: str, label: str) -> SafeString:
    """Return the QR code of this site's ``path`` (as a full address) as inline SVG in an image role named
    ``label`` (kept a day per address)."""
    from dianti.voices.posters import qr_svg

    url = context["request"].build_absolute_uri(path)
    key = "dianti:qr:" + hashlib.sha256(url.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = qr_svg(url)
        cache.set(key, svg, QR_SECONDS)
    return format_html('<div class="qr" role="img" aria-label="{}">{}</div>', label, mark_safe(svg))  # noqa: S308
