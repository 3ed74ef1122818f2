"""Forms for scheduling a meeting; the service validates the rest (weights, phases, scope)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DEFAULT_GRADES
from .services import GroupSpec

DEFAULT_GROUPS = [("镇党委班子成员", 30, 7), ("党员代表", 30, 30), ("群众代表", 30, 30), ("驻村干部", 10, 5)]
GROUP_ROWS = 6


class ScheduleForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=200)
    starts_at = forms.DateTimeField(label=_("时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    venue = forms.CharField(label=_("地点"), max_length=200)
    host = forms.CharField(label=_("主持人"), max_length=100, required=False)
    minutes_each = forms.IntegerField(label=_("每人时长（分钟）"), min_value=3, max_value=120, initial=15)
    grades = forms.CharField(label=_("等次（从好到差，用逗号分隔）"), initial="，".join(DEFAULT_GRADES))
    items = forms.CharField(label=_("分项（可选，如：德，能，勤，绩，廉）"), required=False)
    allow_revise = forms.BooleanField(label=_("投票截止前允许修改"), required=False, initial=True)

    def __init__(self, *args: Any, subjects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subject_choices = list(subjects)
        for i in range(GROUP_ROWS):
            name, weight, size = DEFAULT_GROUPS[i] if i < len(DEFAULT_GROUPS) else ("", "", "")
            self.fields[f"group_{i}_name"] = forms.CharField(required=False, initial=name, label=_("类别"))
            self.fields[f"group_{i}_weight"] = forms.DecimalField(required=False, initial=weight, label=_("权重%"),
                                                                  min_value=0, max_value=100)
            self.fields[f"group_{i}_size"] = forms.IntegerField(required=False, initial=size, label=_("人数"),
                                                                min_value=1, max_value=2000)

    def groups(self) -> list[GroupSpec]:
        d = self.cleaned_data
        return [GroupSpec(d[f"group_{i}_name"], Decimal(d[f"group_{i}_weight"] or 0), d[f"group_{i}_size"] or 0)
                for i in range(GROUP_ROWS) if (d.get(f"group_{i}_name") or "").strip()]

    def group_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"group_{i}_name"], self[f"group_{i}_weight"], self[f"group_{i}_size"]) for i in range(GROUP_ROWS)]

    @staticmethod
    def split(text: str) -> list[str]:
        return [p.strip() for p in text.replace("，", ",").replace("、", ",").split(",") if p.strip()]
