"""年度数据: the county's and the towns' year in figures — dashboards and the annual report sent upward. A view over
the figures every step declares (core/figures.py); it keeps no data of its own."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dianti.core.components import Component, Export, NavEntry, register

from . import jobs, permissions

register(Component(
    label="dashboard", name=_("年度数据"), order=80,
    urls="dianti.dashboard.urls", prefix="dashboard/",
    api="dianti.dashboard.api.router", api_prefix="/dashboard",
    nav=(NavEntry(_("数据看板"), "dashboard", permissions.can_view_dashboards, 90),),
    exports=(Export(_("年度工作情况报告（PDF、Word）"), "dashboard_report", "organization", "dashboard"),),
    jobs={"dashboard.report": jobs.report_job},
    job_queues={"dashboard.report": "heavy"},
    permissions="dianti.dashboard.permissions",
))
