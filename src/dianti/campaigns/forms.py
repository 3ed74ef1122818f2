"""Forms for campaigns: they parse and validate input; the services make the changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dianti.core import paths, scope
from dianti.orgs.models import Organization

from .heat import knobs_in_force
from .models import Campaign, Category, Phase

CONVENER_LEVELS = [Organization.Level.PROVINCE, Organization.Level.CITY, Organization.Level.COUNTY,
                   Organization.Level.TOWN]
NEXT_LEVEL = {Organization.Level.PROVINCE: Organization.Level.CITY, Organization.Level.CITY: Organization.Level.COUNTY,
              Organization.Level.COUNTY: Organization.Level.TOWN, Organization.Level.TOWN: Organization.Level.GRASSROOTS}


class CampaignForm(forms.Form):
    convener = forms.ModelChoiceField(label=_("召集组织"), queryset=Organization.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("活动名称"), max_length=200)
    batch = forms.CharField(label=_("批次（可选）"), max_length=50, required=False)
    candidate_fields = forms.MultipleChoiceField(
        label=_("述职对象领域（不选表示全部）"), choices=Organization.Field.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    direct_only = forms.BooleanField(label=_("仅直属下级组织"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["convener"].queryset = scope.restrict(
            Organization.objects.filter(level__in=CONVENER_LEVELS), user, manage=True).order_by("path")
        self.fields["year"].initial = timezone.localdate().year
        for phase in Phase:
            self.fields[f"deadline_{phase.value}"] = forms.DateField(
                label=_("“%(phase)s”截止日期") % {"phase": phase.label}, required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        convener: Organization = d["convener"]
        return {
            "convener": convener, "year": d["year"], "title": d["title"], "batch": d["batch"],
            "candidate_level": NEXT_LEVEL.get(convener.level, Organization.Level.GRASSROOTS),
            "candidate_fields": d["candidate_fields"], "direct_only": d["direct_only"],
            "deadlines": {p.value: d[f"deadline_{p.value}"].isoformat() for p in Phase if d.get(f"deadline_{p.value}")},
        }


class CampaignEditForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=200)
    parent = forms.ModelChoiceField(label=_("上级述职活动（县、镇、村三级联述）"), queryset=Campaign.objects.none(),
                                    required=False, empty_label=_("（无）"))

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, initial={"title": campaign.title, "parent": campaign.parent_id, **{
            f"deadline_{p}": v for p, v in campaign.deadlines.items()}}, **kwargs)
        self.fields["parent"].queryset = Campaign.objects.filter(
            org_path__in=paths.ancestors(campaign.org_path), year=campaign.year).order_by("-org_path")
        for phase in Phase:
            self.fields[f"deadline_{phase.value}"] = forms.DateField(
                label=_("“%(phase)s”截止日期") % {"phase": phase.label}, required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

        inherited = knobs_in_force(campaign, with_campaign=False)
        for knob, label in HEAT_KNOBS.items():
            above = inherited.get(knob)
            self.fields[f"heat_{knob}"] = forms.FloatField(
                label=label, required=False, min_value=0, max_value=1000,
                initial=(campaign.heat_weights or {}).get(knob),
                help_text=_("留空沿用%(who)s设定的 %(value)g") % {"who": above.source, "value": above.value}
                if above else _("留空用默认值"))

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"title": d["title"], "parent": d["parent"], "deadlines": {
            p.value: d[f"deadline_{p.value}"].isoformat() for p in Phase if d.get(f"deadline_{p.value}")},
            "heat_weights": {k: d[f"heat_{k}"] for k in HEAT_KNOBS if d.get(f"heat_{k}") is not None}}


# The heat knobs a county sets on its campaign (see dianti.voices.mining.heat: β, λ, s_max and channel weights).
HEAT_KNOBS = {
    "participant_weight": _("呼声热度：走访、座谈每多见一人计几人（默认 0.8）"),
    "likes_weight": _("呼声热度：“我也关心”的放大系数（默认 0.5）"),
    "supports_cap": _("呼声热度：“我也关心”最多放大到几倍（默认 2）"),
    "channel_visit": _("呼声热度：入户走访的渠道权重（默认 1.5）"),
    "channel_symposium": _("呼声热度：座谈会的渠道权重（默认 1.5）"),
    "channel_online": _("呼声热度：线上留言的渠道权重（默认 1）"),
}


class HeatSchemeForm(forms.Form):
    """The county's knobs, inherited by every campaign under it (blank: the formula's default)."""

    def __init__(self, *args: Any, weights: dict[str, float], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for knob, label in HEAT_KNOBS.items():
            self.fields[f"heat_{knob}"] = forms.FloatField(label=label, required=False, min_value=0, max_value=1000,
                                                           initial=weights.get(knob), help_text=_("留空用默认值"))

    def weights(self) -> dict[str, float]:
        return {k: self.cleaned_data[f"heat_{k}"] for k in HEAT_KNOBS if self.cleaned_data.get(f"heat_{k}") is not None}


class TopicForm(forms.Form):
    text = forms.CharField(label=_("述职题目"), max_length=200, min_length=4,
                            widget=forms.TextInput(attrs={"placeholder": _("如：如何把美丽资源变成美丽经济")}))


class ResponsibilityForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("责任事项"), max_length=200)
    detail = forms.CharField(label=_("具体内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


CATEGORY_CHOICES = [("", _("请选择类别"))] + list(Category.choices)
