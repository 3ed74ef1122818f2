"""The organization tree and its people: the first step of the house, and the kernel's directory."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dianti.core.components import Component, Export, NavEntry, register
from dianti.core.reads import may_read

from . import channels, demo, exports, importers, stats, todo
from .directory import OrgDirectory

register(Component(
    label="orgs", name=_("组织与人员"), order=10,
    urls="dianti.orgs.urls", prefix="orgs/",
    api="dianti.orgs.api.router", api_prefix="/orgs",
    nav=(NavEntry(pgettext_lazy("navigation", "组织"), "org_tree", lambda user, sc: may_read(user, "org_tree"), 80),),
    stats={"people": stats.people, "party_members": stats.party_members},
    figures=stats.FIGURES,
    stat_labels={"organizations": _("基层党组织（个）"), "party_members": _("党员（人）")},
    stat_help={"people": _("人员（人）")},
    exports=(Export(_("组织名册"), "org_export"),),
    demo=demo.load,
    jobs={"import.orgs": importers.import_orgs, "import.people": importers.import_people,
          "export.orgs": exports.orgs_job},
    todo=todo.for_user,
    provides={"directory": OrgDirectory(), "contacts": channels.contacts},
    permissions="dianti.orgs.permissions",
))
