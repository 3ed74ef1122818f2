"""Forms for 评议考核. They parse input into the engine's scheme layout; the engine validates it (SchemeError) and
the services save it. Lists (grades, groups, rules, bands, components) are rows of fields with one blank row to add
an entry; a row whose name is left blank is dropped."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dianti.core import scope
from dianti.orgs.models import Organization

from .models import ActionProposal

COUNTS = [("neutral", _("不计入")), ("satisfied", _("计入满意")), ("dissatisfied", _("计入不满意"))]
OPS = [("<", "<"), ("<=", "≤"), (">", ">"), (">=", "≥")]
ACTIONS = [("约谈", _("约谈")), ("不合格", _("不合格")), ("整改通知单", _("整改通知单"))]
METHODS = [("trimmed", _("超过一定票数时去掉最高分和最低分后平均")), ("mean", _("直接平均"))]


def _pct(x: float) -> str:
    """Return a fraction as a plain percentage for a form field (0.3 → "30", 1/3 → "33.3333")."""
    return format(round(x * 100, 4), "f").rstrip("0").rstrip(".")


def _split(text: str) -> list[str]:
    for sep in "，、,+＋;；":
        text = text.replace(sep, " ")
    return [t for t in text.split() if t]


class SchemeForm(forms.Form):
    """Edit a scheme; saving makes a new version. ``data_in`` is the version being edited (engine layout)."""

    key = forms.CharField(label=_("方案编号"), max_length=64, required=False,
                          help_text=_("字母、数字、下划线，如 haiyan；保存后不能修改"))
    organization = forms.ModelChoiceField(label=_("制定单位"), queryset=Organization.objects.none(), required=False)
    name = forms.CharField(label=_("方案名称"), max_length=100)
    method = forms.ChoiceField(label=_("每类评议人的汇总方法"), choices=METHODS)
    trim_when_more_than = forms.IntegerField(label=_("票数超过多少张时去掉最高最低分"), min_value=0, max_value=1000)
    trim_each_side = forms.IntegerField(label=_("两端各去掉几张"), min_value=0, max_value=100)
    min_group_ballots = forms.IntegerField(label=_("每类评议人少于多少张有效票时提示"), min_value=0, max_value=1000)
    same_mark_on_all_items = forms.BooleanField(label=_("各分项分数完全相同的选票无效"), required=False)
    min_items_for_same_mark = forms.IntegerField(label=_("至少有几个分项时才适用上一条"), min_value=2, max_value=50)
    incomplete_items = forms.BooleanField(label=_("分项只填了一部分的选票无效（只评等次的选票仍有效）"), required=False)
    points_outside_grade = forms.BooleanField(label=_("分值不在所选等次范围内的选票无效"), required=False)
    confidence = forms.DecimalField(label=_("满意率区间的置信水平（%）"), min_value=50, max_value=Decimal("99.9"),
                                    decimal_places=2)
    items = forms.CharField(label=_("分项（用顿号分隔，可留空）"), required=False, max_length=200)
    missing = forms.ChoiceField(label=_("年度考核缺项时"), choices=[
        ("renormalise", _("按已有部分折算")), ("zero", _("缺项按 0 分计"))])

    LISTS = {
        "grade": ("label", "points", "counts"),
        "group": ("code", "label", "weight"),
        "rule": ("code", "metric", "grades", "op", "threshold", "action"),
        "band": ("label", "min_score"),
        "star": ("stars", "min_score", "innovation"),
        "comp": ("code", "label", "weight"),
    }

    def __init__(self, *args: Any, data_in: dict[str, Any], user: Any, new: bool = False, **kwargs: Any) -> None:
        self.data_in, self.new = data_in, new
        asm = data_in.get("assessment", {})
        inv, agg = data_in.get("invalid", {}), data_in.get("aggregation", {})
        initial = {
            "name": data_in.get("name", ""), "method": agg.get("method", "trimmed"),
            "trim_when_more_than": agg.get("trim_when_more_than", 5), "trim_each_side": agg.get("trim_each_side", 1),
            "min_group_ballots": agg.get("min_group_ballots", 3),
            "same_mark_on_all_items": inv.get("same_mark_on_all_items", True),
            "min_items_for_same_mark": inv.get("min_items_for_same_mark", 2),
            "incomplete_items": inv.get("incomplete_items", True),
            "points_outside_grade": inv.get("points_outside_grade", True),
            "confidence": _pct(data_in.get("confidence", 0.95)),
            "items": "、".join(i["label"] for i in data_in.get("items", [])),
            "missing": asm.get("missing", "renormalise"),
        }
        lists = {
            "grade": [{"label": g["label"], "points": ",".join(f"{p:g}" for p in g["points"]),
                       "counts": "satisfied" if g.get("satisfied") else "dissatisfied" if g.get("dissatisfied")
                       else "neutral"} for g in data_in.get("scale", [])],
            "group": [{"code": g["code"], "label": g["label"], "weight": _pct(g["weight"])}
                      for g in data_in.get("groups", [])],
            "rule": [{"code": r["code"], "metric": r["metric"], "grades": "+".join(r["grades"]), "op": r["op"],
                      "threshold": _pct(r["threshold"]), "action": r["action"]} for r in data_in.get("rules", [])],
            "band": [{"label": b["label"], "min_score": b["min_score"]} for b in asm.get("grade_bands", [])],
            "star": [{"stars": b["stars"], "min_score": b["min_score"], "innovation": b["requires_innovation"]}
                     for b in asm.get("star_bands", [])],
            "comp": [{"code": c["code"], "label": c["label"], "weight": _pct(c["weight"])}
                     for c in asm.get("components", [])],
        }
        for prefix, rows in lists.items():
            for i, row in enumerate(rows):
                initial.update({f"{prefix}_{i}_{k}": v for k, v in row.items()})
        super().__init__(*args, initial=initial, **kwargs)
        self.counts = {}
        for prefix, rows in lists.items():
            n = len(rows) + 1
            self.counts[prefix] = n
            for i in range(n):
                self._add_row(prefix, i)
        if new:
            self.fields["key"].required = True
            self.fields["organization"].queryset = scope.restrict(
                Organization.objects.exclude(level=Organization.Level.GRASSROOTS), user, manage=True).order_by("path")
            self.fields["organization"].required = not scope.scope_for(user).everything
        else:
            del self.fields["key"], self.fields["organization"]

    def _add_row(self, prefix: str, i: int) -> None:
        f = self.fields
        p = f"{prefix}_{i}_"
        if prefix == "grade":
            f[p + "label"] = forms.CharField(label=_("等次"), max_length=16, required=False)
            f[p + "points"] = forms.CharField(label=_("可选分值（从高到低）"), max_length=60, required=False)
            f[p + "counts"] = forms.ChoiceField(label=_("满意率"), choices=COUNTS, required=False)
        elif prefix == "group":
            f[p + "code"] = forms.CharField(widget=forms.HiddenInput, required=False)
            f[p + "label"] = forms.CharField(label=_("评议人类别"), max_length=50, required=False)
            f[p + "weight"] = forms.DecimalField(label=_("权重（%）"), min_value=0, max_value=100, required=False)
        elif prefix == "rule":
            f[p + "code"] = forms.CharField(widget=forms.HiddenInput, required=False)
            f[p + "metric"] = forms.CharField(label=_("指标名称"), max_length=30, required=False)
            f[p + "grades"] = forms.CharField(label=_("计入的等次（用+连接）"), max_length=60, required=False)
            f[p + "op"] = forms.ChoiceField(label=_("比较"), choices=OPS, required=False)
            f[p + "threshold"] = forms.DecimalField(label=_("阈值（%）"), min_value=0, max_value=100, required=False)
            f[p + "action"] = forms.ChoiceField(label=_("建议措施"), choices=ACTIONS, required=False)
        elif prefix == "band":
            f[p + "label"] = forms.CharField(label=_("考核等次"), max_length=20, required=False)
            f[p + "min_score"] = forms.DecimalField(label=_("最低总分"), min_value=0, max_value=100, required=False)
        elif prefix == "star":
            f[p + "stars"] = forms.IntegerField(label=_("星级"), min_value=1, max_value=10, required=False)
            f[p + "min_score"] = forms.DecimalField(label=_("最低总分"), min_value=0, max_value=100, required=False)
            f[p + "innovation"] = forms.BooleanField(label=_("须有创新项目"), required=False)
        else:
            f[p + "code"] = forms.CharField(widget=forms.HiddenInput, required=False)
            f[p + "label"] = forms.CharField(label=_("考核组成部分"), max_length=50, required=False)
            f[p + "weight"] = forms.DecimalField(label=_("权重（%）"), min_value=0, max_value=100, required=False)

    def rows(self, prefix: str) -> list[list[forms.BoundField]]:
        """Return the bound fields of each row of list ``prefix``, for the template's tables."""
        return [[self[f"{prefix}_{i}_{k}"] for k in self.LISTS[prefix]] for i in range(self.counts[prefix])]

    def settings_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("method", "trim_when_more_than", "trim_each_side", "min_group_ballots",
                                  "min_items_for_same_mark", "confidence", "items", "missing")]

    def checkbox_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("same_mark_on_all_items", "incomplete_items", "points_outside_grade")]

    def grade_rows(self) -> list[list[forms.BoundField]]:
        return self.rows("grade")

    def group_rows(self) -> list[list[forms.BoundField]]:
        return self.rows("group")

    def rule_rows(self) -> list[list[forms.BoundField]]:
        return self.rows("rule")

    def band_rows(self) -> list[list[forms.BoundField]]:
        return self.rows("band")

    def star_rows(self) -> list[list[forms.BoundField]]:
        return self.rows("star")

    def comp_rows(self) -> list[list[forms.BoundField]]:
        return self.rows("comp")

    def _list(self, prefix: str, key: str = "label") -> list[tuple[int, dict[str, Any]]]:
        d = self.cleaned_data
        out = []
        for i in range(self.counts[prefix]):
            row = {k: d.get(f"{prefix}_{i}_{k}") for k in self.LISTS[prefix]}
            if row.get(key) not in (None, ""):
                out.append((i, row))
        return out

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for i, row in self._list("grade"):
            try:
                [float(x) for x in _split(row["points"] or "")]
            except ValueError:
                self.add_error(f"grade_{i}_points", _("分值须为数字，用逗号分隔，如 100,95,90"))
            if not _split(row["points"] or ""):
                self.add_error(f"grade_{i}_points", _("请填写该等次可选的分值"))
        for prefix in ("group", "comp"):
            for i, row in self._list(prefix):
                if row["weight"] is None:
                    self.add_error(f"{prefix}_{i}_weight", _("请填写权重"))
        for i, row in self._list("rule", "metric"):
            if row["threshold"] is None or not row["grades"]:
                self.add_error(f"rule_{i}_threshold", _("请填写规则计入的等次和阈值"))
        for prefix, key in (("band", "label"), ("star", "stars")):
            for i, row in self._list(prefix, key):
                if row["min_score"] is None:
                    self.add_error(f"{prefix}_{i}_min_score", _("请填写最低总分"))
        return cleaned

    def scheme_data(self) -> dict[str, Any]:
        """Return the edited scheme in the engine's layout (validated by the engine when saved)."""
        d = self.cleaned_data
        old_items = {i["label"]: i["code"] for i in self.data_in.get("items", [])}
        return {
            "format": self.data_in.get("format", 1),
            "version": self.data_in.get("version", 1),
            "name": d["name"].strip(),
            "scale": [{"label": r["label"].strip(), "points": [float(x) for x in _split(r["points"] or "")],
                       "default": None, "satisfied": r["counts"] == "satisfied",
                       "dissatisfied": r["counts"] == "dissatisfied"} for _i, r in self._list("grade")],
            "groups": [{"code": (r["code"] or r["label"]).strip(), "label": r["label"].strip(),
                        "weight": float(r["weight"]) / 100} for _i, r in self._list("group")],
            "aggregation": {"method": d["method"], "trim_when_more_than": d["trim_when_more_than"],
                            "trim_each_side": d["trim_each_side"], "min_group_ballots": d["min_group_ballots"]},
            "items": [{"code": old_items.get(label, label), "label": label} for label in _split(d["items"] or "")],
            "invalid": {"same_mark_on_all_items": d["same_mark_on_all_items"],
                        "min_items_for_same_mark": d["min_items_for_same_mark"],
                        "incomplete_items": d["incomplete_items"], "points_outside_grade": d["points_outside_grade"]},
            "rules": [{"code": r["code"] or f"rule{i + 1}", "metric": r["metric"].strip(),
                       "grades": _split(r["grades"] or ""), "op": r["op"] or "<",
                       "threshold": float(r["threshold"]) / 100, "action": r["action"] or "约谈"}
                      for i, r in self._list("rule", "metric")],
            "confidence": float(d["confidence"]) / 100,
            "assessment": {
                "components": [{"code": r["code"] or f"c{i + 1}", "label": r["label"].strip(),
                                "weight": float(r["weight"]) / 100} for i, r in self._list("comp")],
                "grade_bands": [{"label": r["label"].strip(), "min_score": float(r["min_score"])}
                                for _i, r in self._list("band")],
                "star_bands": [{"stars": r["stars"], "min_score": float(r["min_score"]),
                                "requires_innovation": bool(r["innovation"])} for _i, r in self._list("star", "stars")],
                "rules": self.data_in.get("assessment", {}).get("rules", []),
                "missing": d["missing"],
            },
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("确认")), ("dismiss", _("不采纳"))])
    note = forms.CharField(label=_("备注"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ComputeForm(forms.Form):
    """Recompute with a given version of the campaign's scheme (blank: its latest)."""

    version = forms.IntegerField(label=_("方案版本"), min_value=1, required=False)


class SchemeChoiceForm(forms.Form):
    scheme = forms.ChoiceField(label=_("评分方案"))

    def __init__(self, *args: Any, keys: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = list(keys)


PROPOSAL_STATUSES = [("", _("全部状态")), *ActionProposal.Status.choices]
PROPOSAL_ACTIONS = [("", _("全部措施")), *ActionProposal.Action.choices]
