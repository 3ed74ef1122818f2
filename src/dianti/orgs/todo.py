"""What needs a person's action in the organization tree now: organizations they manage without a secretary."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dianti.core.components import Todo
from dianti.core.scope import restrict, scope_for

from .models import Organization


def for_user(user: Any) -> list[Todo]:
    if not scope_for(user).is_admin:
        return []
    vacant = restrict(Organization.objects.filter(level=Organization.Level.GRASSROOTS, is_active=True,
                                                  secretary__isnull=True),
                      user, manage=True).count()
    if not vacant:
        return []
    return [Todo(_("书记空缺的基层组织（%(n)d 个）") % {"n": vacant}, reverse("org_tree"), vacant,
                 _("点名前需先确定书记"), kind=_("配备"))]
