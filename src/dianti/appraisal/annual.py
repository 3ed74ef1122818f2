"""Writes for the annual comprehensive assessment (年度综合考核): component marks in, totals, bands, stars and ranks
out, computed by :func:`dianti.appraisal.engine.assess` for a whole county at once (ranks need every peer).

Components: 述职评议 comes from the organization's published appraisal of the year (its ``SubjectResult.score``);
the others are imported from Excel (:mod:`.importers`). The weights, grade bands and star bands are the assessment
config of the county's scheme for that year (:func:`annual_scheme`). An organization runs an innovation project
(needed for the top star band) when the import says so or a 创新项目 is registered for it that year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.campaigns.models import Campaign, Project
from dianti.core import audit, notify, paths, rules
from dianti.orgs.models import Organization
from dianti.orgs.permissions import ensure_can_manage

from .engine import AssessmentInput, assess
from .engine.policy import APPRAISAL_COMPONENT, AssessmentConfig
from .models import AnnualAssessment, AssessmentRound, ScoringScheme, SubjectResult
from .scheme_reads import DEFAULT_KEY, engine_scheme, scheme_for_campaign, scheme_get
from .services import scheme_ensure

INNOVATION_KINDS = (Project.Kind.INNOVATION,)
PROVISIONAL = "provisional"  # the flag of a total with a component missing: no band, no stars (see the engine)


def county_of(org: Organization) -> Organization:
    """Return the county (县) at or above ``org``; the root of its tree when there is none."""
    chain = [*paths.ancestors(org.path), org.path]
    found = (Organization.objects.filter(path__in=chain, level=Organization.Level.COUNTY).order_by("-path").first()
             or Organization.objects.filter(path=chain[0]).first())
    return found or org


def annual_scheme(county: Organization, year: int) -> ScoringScheme:
    """Return the scheme whose assessment config applies to ``county`` in ``year``.

    The county's own campaign of that year decides when it names a scheme; else the latest scheme the county owns;
    else the default.
    """
    campaign = Campaign.objects.filter(convener=county, year=year).exclude(scheme_key="").first()
    if campaign is not None:
        return scheme_for_campaign(campaign)
    own = ScoringScheme.objects.filter(organization=county).order_by("-created_at", "-version").first()
    if own is not None:
        return ScoringScheme.objects.filter(key=own.key).order_by("-version").first() or own
    return scheme_get(DEFAULT_KEY)


def config_for(county: Organization, year: int) -> tuple[ScoringScheme, AssessmentConfig]:
    row = annual_scheme(county, year)
    return row, engine_scheme(row).assessment


@dataclass(frozen=True)
class AnnualRow:
    """One organization's imported component marks (0–100, None for none) for one year."""

    organization: Organization
    year: int
    scores: Mapping[str, float | None]
    innovation: bool | None = None


@transaction.atomic
def annual_scores_set(*, actor: Any, rows: Sequence[AnnualRow], note: str = "") -> int:
    """Store imported component marks: each row replaces that organization's imported marks for the year (a later
    row for the same organization and year replaces an earlier one). Set-based: one read, one insert, one update
    and one batch of audit records, however many rows."""
    now = timezone.now()
    years = {r.year for r in rows}
    held = {(a.organization_id, a.year): a for a in AnnualAssessment.objects.filter(
        organization__in={r.organization.pk for r in rows}, year__in=years)}
    new: dict[tuple[int, int], AnnualAssessment] = {}
    updated: dict[tuple[int, int], AnnualAssessment] = {}
    changed: list[tuple[AnnualAssessment, str, dict[str, Any], dict[str, float]]] = []
    for r in rows:
        ensure_can_manage(actor, r.organization)
        scores = _checked(r.scores)
        key = (r.organization.pk, r.year)
        row = held.get(key) or new.get(key)
        if row is None:
            row = new[key] = AnnualAssessment(organization=r.organization, org_path=r.organization.path, year=r.year)
        elif key in held:
            updated[key] = row
        before = dict(row.scores)
        row.scores, row.imported_at = scores, now
        if r.innovation is not None:
            row.innovation = r.innovation
        changed.append((row, r.organization.path, before, scores))
    AnnualAssessment.objects.bulk_create(new.values())
    AnnualAssessment.objects.bulk_update(updated.values(), ["scores", "imported_at", "innovation"])
    audit.record_all([audit.event(actor=actor, action="assessment.import", target=row, org_path=path,
                                  changes={"scores": [before or None, scores]}, note=note)
                      for row, path, before, scores in changed])
    return len(rows)


def _checked(marks: Mapping[str, float | None]) -> dict[str, float]:
    scores = {k: float(v) for k, v in marks.items() if v is not None}
    for code, value in scores.items():
        if code == APPRAISAL_COMPONENT:
            raise ValidationError(_("“述职评议”得分来自公布的评议结果，不能导入"))
        if not 0 <= value <= 100:
            raise ValidationError(_("得分须在 0 到 100 之间，现为 %(value)s") % {"value": value})
    return scores


def _appraisals(county: Organization, year: int) -> dict[int, float]:
    """Return {organization id: published appraisal score} for the year (the latest publication wins)."""
    rows = (SubjectResult.objects.filter(status=SubjectResult.Status.PUBLISHED, score__isnull=False,
                                         subject__campaign__year=year, subject__org_path__gte=county.path,
                                         subject__org_path__lt=paths.successor(county.path))
            .order_by("published_at").values_list("subject__organization_id", "score"))
    return dict(rows)


def compute(county: Organization, year: int) -> int:
    """Recompute every assessment of ``county`` for ``year`` (no permission check: callers check). Return count."""
    row, config = config_for(county, year)
    if row.pk is None:  # the default, read before it was stored: the assessments keep a reference to it
        row = scheme_ensure()
    known = {c.code for c in config.components}
    appraisals = _appraisals(county, year)
    existing = {a.organization_id: a for a in AnnualAssessment.objects.filter(
        year=year, org_path__gte=county.path, org_path__lt=paths.successor(county.path))}
    for org_id in set(appraisals) - set(existing):
        org = Organization.objects.get(pk=org_id)
        existing[org_id] = AnnualAssessment.objects.create(organization=org, org_path=org.path, year=year)
    if not existing:
        return 0
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=list(existing)).select_related("parent")}
    innovative = set(Project.objects.filter(organization_id__in=list(existing), year=year,
                                            kind__in=INNOVATION_KINDS).values_list("organization_id", flat=True))
    ids = sorted(existing, key=lambda i: orgs[i].path)
    entries = []
    for i in ids:
        a, org = existing[i], orgs[i]
        scores: dict[str, float | None] = {k: v for k, v in a.scores.items() if k in known}
        if APPRAISAL_COMPONENT in known:
            scores[APPRAISAL_COMPONENT] = appraisals.get(i)
        parent = org.parent.display_name if org.parent else ""
        entries.append(AssessmentInput(subject=i, scores=scores, innovation=a.innovation or i in innovative,
                                       peers=parent))
    results = assess(entries, config)
    ranked = sum(1 for r in results if r.rank is not None)
    now = timezone.now()
    changed = []
    for i, res in zip(ids, results, strict=True):
        a, org = existing[i], orgs[i]
        dropped = sorted(set(a.scores) - known)
        a.scheme, a.appraisal, a.total = row, appraisals.get(i), res.total
        a.parts = [{"code": p.code, "label": p.label, "weight": p.weight, "used_weight": p.used_weight,
                    "score": p.score} for p in res.parts]
        a.band, a.stars, a.rank, a.rank_of = res.band or "", res.stars, res.rank, ranked
        a.peers_path = org.parent.path if org.parent else ""
        a.peer_rank, a.peer_count = res.peer_rank, res.peer_count
        a.flags = [{"code": f.code, "message": f.message} for f in res.flags]
        if res.provisional:
            a.flags.insert(0, {"code": PROVISIONAL, "missing": list(res.missing),
                               "message": f"暂定（缺少：{'、'.join(res.missing)}）"})
        a.flags += [{"code": "unknown_component", "message": f"“{code}”不在本年度考核方案中，未计入。"}
                    for code in dropped]
        a.explanation = (f"考核方案：{row.name}（{row.key} 第 {row.version} 版）\n" + res.explain())
        a.computed_at = now
        changed.append(a)
    AnnualAssessment.objects.bulk_update(changed, ["scheme", "appraisal", "total", "parts", "band", "stars", "rank",
                                                   "rank_of", "peers_path", "peer_rank", "peer_count", "flags",
                                                   "explanation", "computed_at"], batch_size=500)
    return len(changed)


@transaction.atomic
def annual_compute(*, actor: Any, county: Organization, year: int) -> int:
    """Recompute the county's assessments for ``year`` (totals, bands, stars, ranks); county admins only."""
    ensure_can_manage(actor, county)
    if county.level != Organization.Level.COUNTY:
        raise ValidationError(_("年度综合考核按县（市、区）统一计算排名，请选择县级组织"))
    n = compute(county, year)
    user = actor if getattr(actor, "is_authenticated", False) else None
    AssessmentRound.objects.update_or_create(county=county, year=year, defaults={
        "computed_at": timezone.now(), "computed_by": user, "confirmed_at": None, "confirmed_by": None, "note": ""})
    audit.record(actor=actor, action="assessment.compute", target=county, org_path=county.path,
                 changes={"year": [None, year], "organizations": [None, n]})
    deciders = rules.deciders("appraisal.stars_confirm", round_context(county, year))
    notify.notify([notify.recipient_for_user(u) for u in deciders], notify.Message(
        kind="stars_waiting", title=_("%(year)d 年度考核等次和星级待您确认") % {"year": year},
        body=_("%(county)s已计算 %(n)d 个组织的年度考核，请核对后确认。") % {"county": county.display_name, "n": n},
        url=reverse("appraisal_annual") + f"?year={year}"))
    return n


def round_get(county: Organization, year: int) -> AssessmentRound | None:
    return AssessmentRound.objects.filter(county=county, year=year).first()


def round_context(county: Organization, year: int) -> rules.Context:
    r = round_get(county, year)
    return rules.Context(body_path=county.path, made_by_id=r.computed_by_id if r is not None else None)


@transaction.atomic
def assessment_confirm(*, actor: Any, county: Organization, year: int, note: str = "") -> AssessmentRound:
    """Confirm the county's grades and star grades for ``year``: the level above the county (or, at the top of
    the system, its approver), never whoever computed them. Until then pages show them as 待确认."""
    rules.ensure(actor, "appraisal.stars_confirm", round_context(county, year))
    r = round_get(county, year)
    if r is None or r.computed_at is None:
        raise ValidationError(_("%(year)d 年度考核尚未计算，不能确认") % {"year": year})
    if r.is_confirmed:
        raise ValidationError(_("%(year)d 年度考核已确认") % {"year": year})
    r.confirmed_at = timezone.now()
    r.confirmed_by = actor if getattr(actor, "is_authenticated", False) else None
    r.note = note.strip()
    r.save(update_fields=["confirmed_at", "confirmed_by", "note"])
    audit.record(actor=actor, action="assessment.confirm", target=county, org_path=county.path,
                 changes={"year": [None, year]}, note=r.note)
    return r


def counties_of(orgs: Iterable[Organization]) -> dict[int, Organization]:
    """Return {organization id: its county} for ``orgs`` (one lookup per distinct county path prefix)."""
    out: dict[int, Organization] = {}
    cache: dict[str, Organization] = {}
    for org in orgs:
        hit = next((c for p, c in cache.items() if org.path.startswith(p)), None)
        if hit is None:
            hit = county_of(org)
            cache[hit.path] = hit
        out[org.pk] = hit
    return out
