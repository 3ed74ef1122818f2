"""Forms for opinions: the public phone form (with a honeypot), offline entry and moderation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dianti.core import paths, scope
from dianti.orgs.models import ContactPoint, Organization

from .models import OFFLINE_CHANNELS, Channel
from .permissions import relay_points


class PublicOpinionForm(forms.Form):
    text = forms.CharField(label=_("您的意见或建议"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("请写下您关心的问题和建议")}))
    title = forms.CharField(label=_("一句话概括（可选）"), max_length=100, required=False)
    anonymous = forms.BooleanField(label=_("匿名提交"), required=False, initial=True)
    name = forms.CharField(label=_("姓名（可选）"), max_length=50, required=False)
    phone = forms.CharField(label=_("手机号（可选，便于回访）"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    photo = forms.ImageField(label=_("照片（可选）"), required=False)
    # Asked only where the county proves phones (voices/verify.py), after a code was sent to the phone given.
    code = forms.CharField(label=_("短信验证码"), max_length=6, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    # Honeypot: people never see or fill it; bots that fill every field are refused.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class OfflineOpinionForm(forms.Form):
    organization = forms.CharField(label=_("意见所涉组织（编码或名称）"), max_length=100)
    channel = forms.ChoiceField(label=_("来源渠道"), choices=[(c.value, c.label) for c in Channel
                                                              if c in OFFLINE_CHANNELS])
    point = forms.ModelChoiceField(label=_("点位（民情直报点/观察点）"), queryset=ContactPoint.objects.none(),
                                   required=False)
    people_met = forms.IntegerField(label=_("接触人次（走访、座谈必填）"), min_value=0, max_value=10000, initial=0)
    title = forms.CharField(label=_("标题（可选）"), max_length=100, required=False)
    text = forms.CharField(label=_("意见内容"), widget=forms.Textarea(attrs={"rows": 5}))
    name = forms.CharField(label=_("反映人姓名（可选）"), max_length=50, required=False)
    phone = forms.CharField(label=_("反映人手机号（可选）"), max_length=20, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        mine = relay_points(user)
        self.relay_roots = sorted({p.org_path for p in mine})
        self.fields["point"].queryset = (scope.restrict(ContactPoint.objects.all(), user, "org_path", manage=True)
                                         | ContactPoint.objects.filter(pk__in=[p.pk for p in mine])).distinct()
        if len(mine) == 1 and not self.is_bound:
            self.fields["point"].initial = mine[0].pk
            self.fields["channel"].initial = mine[0].kind

    def _recordable(self) -> Any:
        """The organizations this user may record for: those they manage, and those their points serve."""
        served = Q(pk__in=[])
        for root in self.relay_roots:
            served |= Q(path__gte=root, path__lt=paths.successor(root))
        return Organization.objects.filter(scope.path_filter(self.user, manage=True) | served)

    def clean_organization(self) -> Organization:
        """Accept an organization code, or a name or short name that matches exactly one organization in reach."""
        text = self.cleaned_data["organization"].strip()
        visible = self._recordable()
        found = list(visible.filter(code=text)[:1]) or list(
            visible.filter(Q(name=text) | Q(short_name=text))[:2]) or list(
            visible.filter(Q(name__contains=text) | Q(short_name__contains=text))[:2])
        if not found:
            raise forms.ValidationError(_("找不到“%(t)s”，请输入组织编码或准确名称") % {"t": text})
        if len(found) > 1:
            raise forms.ValidationError(_("“%(t)s”对应多个组织，请输入组织编码") % {"t": text})
        return found[0]
