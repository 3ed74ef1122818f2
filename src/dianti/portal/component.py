"""The public site (/p/): what the people may see of every campaign — the lists in 公示, the results published."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dianti.core.components import Component, register

register(Component(
    label="portal", name=_("公开网站"), order=70,
    public_urls="dianti.portal.urls", public_prefix="p/",
    permissions="dianti.portal.permissions",
))
