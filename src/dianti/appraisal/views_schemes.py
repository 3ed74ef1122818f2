"""评议考核 scoring schemes: the list, a scheme's versions, a new version of one, a new scheme from one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dianti.core.http import error_messages
from dianti.core.pagination import paginate

from . import permissions, scheme_reads, services
from .forms import SchemeForm
from .models import ScoringScheme


@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    permissions.ensure_appraisal_staff(request.user)
    page = paginate(request, scheme_reads.latest_scheme_rows())
    # Before any result is computed the default is not stored yet; it is still a scheme to see and copy.
    schemes = scheme_reads.with_unstored_default(list(page.object_list)) if page.number == 1 else page.object_list
    return render(request, "appraisal/schemes.html", {"page": page, "schemes": [
        (s, permissions.can_edit_scheme(request.user, s.organization)) for s in schemes]})


@login_required
def scheme_detail(request: HttpRequest, key: str) -> HttpResponse:
    permissions.ensure_appraisal_staff(request.user)
    versions = scheme_reads.scheme_versions(key)
    shown = versions[0]
    if request.GET.get("v", "").isdigit():
        shown = next((v for v in versions if v.version == int(request.GET["v"])), shown)
    return render(request, "appraisal/scheme_detail.html", {
        "versions": versions, "scheme": shown, "data": shown.data,
        "can_edit": permissions.can_edit_scheme(request.user, shown.organization)})


def _scheme_form_page(request: HttpRequest, base: ScoringScheme, new: bool) -> HttpResponse:
    form = SchemeForm(request.POST or None, data_in=base.data, user=request.user, new=new)
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["key"].strip() if new else base.key
        if new and ScoringScheme.objects.filter(key=key).exists():
            form.add_error("key", _("方案编号“%(key)s”已被使用") % {"key": key})
        else:
            try:
                row = services.scheme_save(actor=request.user, key=key, data=form.scheme_data(),
                                           organization=form.cleaned_data.get("organization") if new else None)
            except ValidationError as exc:
                for m in error_messages(exc):
                    form.add_error(None, m)
            else:
                messages.success(request, _("已保存为第 %(v)d 版。已计算的结果仍按原版本，重新计算后才按新版本")
                                 % {"v": row.version})
                return redirect("appraisal_scheme", key=row.key)
    return render(request, "appraisal/scheme_form.html", {"form": form, "base": base, "new": new},
                  status=400 if request.method == "POST" else 200)


@login_required
def scheme_edit(request: HttpRequest, key: str) -> HttpResponse:
    permissions.ensure_appraisal_staff(request.user)
    base = scheme_reads.scheme_versions(key)[0]
    if not permissions.can_edit_scheme(request.user, base.organization):
        raise PermissionDenied(_("您无权修改该评分方案；可以“以此为基础新建”自己的方案"))
    return _scheme_form_page(request, base, new=False)


@login_required
def scheme_new(request: HttpRequest) -> HttpResponse:
    permissions.ensure_appraisal_staff(request.user)
    base = scheme_reads.scheme_versions(request.GET.get("from") or scheme_reads.DEFAULT_KEY)[0]
    return _scheme_form_page(request, base, new=True)
