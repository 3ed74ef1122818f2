"""A secretary's record over the years (履职档案): every time they (or an organization's secretaries) were chosen to
report, year by year, each line said by the step that owns it — the topic and the voices behind it (群众点题), the
meeting and the report (述职会), the score of record with the panel's reliability and the annual assessment's rank
and stars (评议考核), the rectification and how it ended (整改) — through each step's ``record`` face
(:func:`dianti.core.components.record_facts`). Nothing here computes a figure.

Who reads what (:class:`~dianti.core.components.Audience`): staff read the subjects in their subtree; the secretary
their own; the public an organization's, for campaigns whose list was published, with published figures only and
no name — the organization and its secretary's role (the current one, or a predecessor) identify each year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dianti.core import components, scope
from dianti.core.components import Audience, Fact, HomePanel
from dianti.orgs.models import Organization, Person

from .models import Campaign, Subject

_RELATED = ("campaign", "campaign__convener", "organization", "secretary")
QUOTE = "voice"  # a fact quoting one opinion behind the topic: listed under the fact before it


@dataclass
class RecordEntry:
    """One subject (one campaign, one year) and what every step says of it."""

    subject: Subject
    facts: list[Fact] = field(default_factory=list)
    who: str = ""  # how the secretary is named for this audience

    def fact(self, key: str) -> Fact | None:
        return next((f for f in self.facts if f.key == key), None)

    @property
    def by_key(self) -> dict[str, Fact]:
        return {f.key: f for f in self.facts}

    @property
    def rows(self) -> list[tuple[Fact, list[Fact]]]:
        """The facts as the page lists them: each with the quotes that follow it (the voices behind a topic)."""
        out: list[tuple[Fact, list[Fact]]] = []
        for f in self.facts:
            if f.key == QUOTE and out:
                out[-1][1].append(f)
            else:
                out.append((f, []))
        return out


@dataclass
class RecordYear:
    year: int
    entries: list[RecordEntry]


def person_subjects(viewer: Any, person: Person) -> QuerySet[Subject]:
    """The person's subjects (as their frozen secretary) that the staff viewer's subtree holds."""
    qs = Subject.objects.filter(secretary=person)
    return scope.restrict(qs, viewer, "org_path").select_related(*_RELATED)


def own_subjects(user: Any) -> QuerySet[Subject]:
    """The user's own subjects on lists that were published (a draft list is not yet a record)."""
    return (Subject.objects.filter(secretary__user=user, campaign__list_status=Campaign.ListStatus.PUBLISHED)
            .select_related(*_RELATED))


def org_subjects(viewer: Any, org: Organization) -> QuerySet[Subject]:
    """The organization's subjects over the years, for staff in scope (the caller checked the organization)."""
    return scope.restrict(Subject.objects.filter(organization=org), viewer, "org_path").select_related(*_RELATED)


def public_subjects(org: Organization) -> QuerySet[Subject]:
    """The organization's subjects on published lists: what the public may read."""
    return (Subject.objects.filter(organization=org, campaign__list_status=Campaign.ListStatus.PUBLISHED)
            .select_related(*_RELATED))


def _who(subject: Subject, audience: str) -> str:
    if subject.secretary_id is None and not subject.secretary_name:
        return _("书记空缺")
    if audience != Audience.PUBLIC:
        return _("书记：%(name)s") % {"name": subject.secretary_name}
    # The public reads the role, never the name: whether that year's secretary is the one in office now.
    current = subject.secretary_id == subject.organization.secretary_id
    return _("现任书记") if current else _("前任书记")


def build(subjects: Iterable[Subject], audience: str, viewer: Any = None) -> list[RecordYear]:
    """Return the record of ``subjects``, newest year first, each subject with every step's facts (each step
    queries once for all of them)."""
    listed = sorted(subjects, key=lambda s: (-s.campaign.year, s.campaign.org_path, s.pk))
    facts = components.record_facts(listed, audience, viewer)
    years: dict[int, RecordYear] = {}
    for s in listed:
        year = years.setdefault(s.campaign.year, RecordYear(s.campaign.year, []))
        year.entries.append(RecordEntry(s, facts.get(s.pk, []), _who(s, audience)))
    return list(years.values())


def facts(subjects: list[Subject], audience: str, viewer: Any) -> dict[int, list[Fact]]:
    """党委点名's lines: why the committee chose them, and the topic they were given."""
    out: dict[int, list[Fact]] = {}
    for s in subjects:
        topic = s.topic or _("尚未确定")
        out[s.pk] = [Fact("category", _("点名类别"), s.get_category_display(), note=s.reason),
                     Fact("topic", _("述职题目"), topic, tone="" if s.topic else "warn")]
    return out


# ---------------------------------------------------------------------------------------------------------------
# The secretary's home: their current campaigns, each with what every step says of it


def current(subjects: Iterable[Subject]) -> list[Subject]:
    """What the home page shows: the latest year's subjects, and earlier ones whose rectification is still open
    (the rest is in the record)."""
    listed = list(subjects)
    latest = max((s.campaign.year for s in listed), default=None)
    return [s for s in listed if s.campaign.year == latest or s.rectification == Subject.Rectification.OPEN]


def home(user: Any) -> list[HomePanel]:
    """A secretary's own block: their campaigns now (topic, meeting, score, rectification) and their record."""
    from .selectors import my_subjects

    sc = scope.scope_for(user)
    mine = list(my_subjects(user))
    if not mine and "secretary" not in sc.roles:
        return []
    entries = [e for y in build(current(mine), Audience.SELF, user) for e in y.entries]
    return [HomePanel("campaigns/_home_mine.html", {"entries": entries, "any": bool(mine)}, order=10)]
