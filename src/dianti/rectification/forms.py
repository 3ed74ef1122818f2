"""Forms for 整改: they parse and validate input; the services make the changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dianti.orgs.models import ContactPoint

from .models import Case, Rating
from .services import MeasureIn

# <input type="date"> takes only ISO dates; the zh-hans input format (2027/03/06) would leave it empty at every edit.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpenForm(forms.Form):
    problems = forms.CharField(label=_("发现的问题（理），每行一条"), widget=forms.Textarea(attrs={"rows": 6}))
    requirements = forms.CharField(label=_("整改要求（可选，不填则使用标准要求）"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(label=_("整改期限"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=90)


class BatchOpenForm(forms.Form):
    deadline = forms.DateField(label=_("整改期限"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=90)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("新的整改期限"), required=False, widget=DATE)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(d, initial) for d in items]


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=100,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 10}))
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("佐证材料（照片或文档，可多选）"), required=False)


class SupervisionForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=DATE)
    point = forms.ModelChoiceField(label=_("点位"), queryset=ContactPoint.objects.none(), required=False)
    seen = forms.CharField(label=_("看到的情况"), widget=forms.Textarea(attrs={"rows": 4}))
    rating = forms.ChoiceField(label=_("评价"), choices=Rating.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        # The points of the town the case belongs to (the issuer's subtree).
        self.fields["point"].queryset = ContactPoint.objects.filter(
            org_path__startswith=case.issuer_path).order_by("org_path", "id")


class ObservationForm(forms.Form):
    text = forms.CharField(label=_("您看到的整改情况"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("例如：村口的路灯已经修好了")}))
    # Honeypot: people never see or fill it; bots that fill every field are refused.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


@dataclass
class MeasureRow:
    prefix: str
    text: str = ""
    owner: str = ""
    deadline: str = ""
    expected: str = ""


@dataclass
class ProblemBlock:
    problem: Any
    rows: list[MeasureRow] = field(default_factory=list)


class CommitmentForm:
    """The 三责联诺 form: for each problem, rows of measures (措施、责任人、时限、预期成效), then the lasting
    mechanisms. Plain HTML names (``m-<problem>-<row>-<field>``) so it works without JavaScript; the 再加一条
    button posts back with one more row for that problem."""

    FIELDS = ("text", "owner", "deadline", "expected")

    def __init__(self, case: Case, data: Any = None) -> None:
        self.case = case
        self.data = data
        self.errors: list[str] = []
        problems = list(case.problems.all())
        existing: dict[int, list[Any]] = {}
        for m in case.measures.all():
            existing.setdefault(m.problem_id, []).append(m)
        add = int(data.get("add", "0")) if data is not None and str(data.get("add", "")).isdigit() else 0
        self.blocks = []
        for p in problems:
            if data is not None:
                n = int(data.get(f"n-{p.pk}", "1") or 1) + (1 if add == p.pk else 0)
                rows = [MeasureRow(f"m-{p.pk}-{i}", *(data.get(f"m-{p.pk}-{i}-{f}", "").strip() for f in self.FIELDS))
                        for i in range(min(n, 20))]
            else:
                rows = [MeasureRow(f"m-{p.pk}-{i}", m.text, m.owner, m.deadline.isoformat(), m.expected)
                        for i, m in enumerate(existing.get(p.pk, []))] or [MeasureRow(f"m-{p.pk}-0")]
            self.blocks.append(ProblemBlock(p, rows))
        self.mechanisms = (data.get("mechanisms", "") if data is not None
                           else "\n".join(case.mechanisms.values_list("text", flat=True)))
        self.pledge = data.get("pledge", "") if data is not None else case.pledge
        self.adding = bool(add)

    def measures(self) -> list[MeasureIn]:
        out = []
        for block in self.blocks:
            for row in block.rows:
                try:
                    deadline = dt.date.fromisoformat(row.deadline) if row.deadline else None
                except ValueError:
                    deadline = None
                    self.errors.append(str(_("“%(v)s”不是有效日期") % {"v": row.deadline}))
                out.append(MeasureIn(block.problem.pk, row.text, row.owner, deadline, row.expected))
        return out
