"""Proving a villager's phone by SMS code where their county asks for it (:class:`.models.VerificationSetting`,
off unless set): on the QR page, a named opinion that leaves a phone is taken once the code sent to that phone
(:mod:`dianti.core.phone_codes`) is typed back, and then counts as a verified person; an anonymous opinion, or one
with no phone, is taken as before and counts as unverified. A phone proved once stays proved for the rest of the
browser's session (its key, never the number, is kept there), so a second opinion needs no second code.

A "我也关心" works the same way (:func:`support_phone`): the supporter may give a phone and the code sent to it, or
rely on a phone already proved in this session; the support then carries the phone's key and counts as a verified
person, and one phone supports a topic or an opinion once. Without a phone it is taken as before, unverified.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext as _

from dianti.core import audit, phone_codes, rules
from dianti.orgs.models import Organization

from .models import VerificationSetting

SESSION_KEY = "dianti_verified_phones"


def _ancestors(path: str) -> list[str]:
    # Paths are fixed-width segments from the root (core/paths.py): every prefix ending at a segment is an ancestor.
    return [path[:i] for i in range(1, len(path) + 1)]


def requirement() -> Exists:
    """Return the annotation (``phone_codes_required``) of :func:`required_for` on an organization queryset, so a
    page that loads the organization learns it in the same query (the public QR page does)."""
    return Exists(VerificationSetting.objects.filter(StartsWith(OuterRef("path"), F("organization__path")),
                                                     phone_codes=True))


def required_for(org: Organization) -> bool:
    """Return whether the county (or any organization above ``org``) asks for phones to be proved: read from the
    organization's ``phone_codes_required`` when it was loaded with :func:`requirement`, else asked."""
    known = getattr(org, "phone_codes_required", None)
    if known is not None:
        return bool(known)
    return VerificationSetting.objects.filter(organization__path__in=_ancestors(org.path), phone_codes=True).exists()


def setting_of(county: Organization) -> bool:
    """Return whether ``county`` itself has turned proving phones on."""
    return VerificationSetting.objects.filter(organization=county, phone_codes=True).exists()


@transaction.atomic
def setting_set(*, actor: Any, county: Organization, on: bool) -> VerificationSetting:
    """Turn proving phones by SMS code on or off for ``county`` (and everything under it), audited. Who may:
    :data:`dianti.core.rules.RULES` ``voices.phone_codes_set`` (the county's own admins)."""
    rules.ensure(actor, "voices.phone_codes_set", rules.Context(body_path=county.path))
    if county.level != Organization.Level.COUNTY:
        raise ValidationError(_("手机短信验证由县级党委统一开启或关闭"))
    before = setting_of(county)
    row, _created = VerificationSetting.objects.update_or_create(organization=county, defaults={"phone_codes": on})
    audit.record(actor=actor, action="voices.phone_codes", target=county, org_path=county.path,
                 changes={"phone_codes": [before, on]})
    return row


def proved(session: Any, phone: str) -> bool:
    return phone_codes.phone_key(phone) in session.get(SESSION_KEY, [])


def prove(session: Any, phone: str, code: str) -> None:
    """Check the code typed for ``phone`` and remember the proved phone's key in the session."""
    key = phone_codes.phone_code_check(phone=phone, code=code)
    session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[-4:], key]


def needs_code(org: Organization, *, anonymous: bool, phone: str) -> bool:
    """Return whether this submission must first prove its phone."""
    return bool(phone) and not anonymous and required_for(org)


def send(phone: str, ip_hash: str, then: str = "提交") -> str:
    """Send a code to ``phone``; return what the page says (the phone masked; ``then``: the button to press)."""
    phone_codes.phone_code_send(phone=phone, ip_hash=ip_hash)
    return f"验证码已发送到 {phone_codes.mask(phone_codes.clean_phone(phone))}，5 分钟内有效，请填写后再点“{then}”"


def check(session: Any, org: Organization, fields: dict[str, Any], ip_hash: str) -> tuple[bool, str]:
    """Return (whether the phone is proved, what to tell the person) for a valid QR-page submission: a code typed
    is checked; a phone not yet proved is sent one ("" told means: take the opinion now). Raise a ValidationError
    (keyed ``code`` or ``phone``) for a wrong or expired code or a phone that cannot be sent to."""
    phone = fields.get("phone", "")
    if not needs_code(org, anonymous=fields.get("anonymous", True), phone=phone):
        return False, ""
    phone = phone_codes.clean_phone(phone)
    if proved(session, phone):
        return True, ""
    if fields.get("code"):
        prove(session, phone, fields["code"])
        return True, ""
    return False, send(phone, ip_hash)


def support_phone(session: Any, org: Organization, data: Any, ip_hash: str) -> tuple[str, str]:
    """Return (the proved phone's key or "", what to tell the supporter) for a "我也关心" on ``org``'s page.

    Off in the county: ("", ""), an unverified support. A phone typed with its code is proved here; a phone typed
    alone is sent a code ("" key, the message told: nothing is recorded yet); no phone: the phone last proved in this
    session, if any, else an unverified support. Raise a ValidationError for a bad phone or a wrong code."""
    if not required_for(org):
        return "", ""
    phone = (data.get("phone") or "").strip()
    if not phone:
        keys = session.get(SESSION_KEY, [])
        return (keys[-1] if keys else ""), ""
    phone = phone_codes.clean_phone(phone)
    if proved(session, phone):
        return phone_codes.phone_key(phone), ""
    if (data.get("code") or "").strip():
        prove(session, phone, data["code"])
        return phone_codes.phone_key(phone), ""
    return "", send(phone, ip_hash, then="验证并关心")
