"""Demo paper ballots read by the machine, and a rehearsal: in the meeting left open mid-way, a clerk has scanned
four sheets (synthetic images of the meeting's own ballot, made by :mod:`.omr_samples` at load time; a page is
about 0.3 s of PDF to render, so few): two counted (a clerk's confirmed scan, and a second clerk's confirmation of
another scan or typing), one confirmed once, one waiting with a mark the reader would not guess, and a sheet scanned
twice. Beside the meeting, a rehearsal (模拟测评) run to its close, ready to be wiped."""

from __future__ import annotations

import random
from typing import Any

from dianti.orgs.demo import HAIYAN_CODE, demo_admin
from dianti.orgs.models import Organization

from . import omr_samples, rehearsal, scan_reads, scans, services
from .documents import ballot_spec
from .models import Meeting
from .omr import layout as L

GROUP = "群众代表"  # the open meeting's phones have filled the groups before it
DPI = 150  # the lowest resolution the reader is measured at (dianti bench omr)


def _sheets(meeting: Meeting, serials: list[int], rng: random.Random, flagged: set[int]) -> list[Any]:
    lay = L.page_layouts(ballot_spec(meeting))[0]
    items = [row.item for row in lay.rows]
    out = []
    for serial, page in omr_samples.printed(meeting, serials, DPI).items():
        marks = {"group": ("tick", GROUP)}
        marks |= {item: (rng.choice(("tick", "cross", "filled")), rng.choice(meeting.grades[:3])) for item in items}
        if serial in flagged:
            marks[items[1]] = ("two", meeting.grades[0])
        out.append(omr_samples.degrade(omr_samples.fill(page[0], lay, marks, seed=serial, dpi=DPI), "scan", serial))
    return out


def _confirm(meeting: Meeting, clerk: Any, serials: set[int], decide: str) -> None:
    """Confirm one waiting scan of each of ``serials``, deciding every flagged mark as ``decide``."""
    for sheet in scan_reads.sheets_waiting(meeting):
        if sheet.serial not in serials:
            continue
        grades = {r.item.pk: (decide if r.flag else r.choice) for r in sheet.rows}
        scans.scan_confirm(actor=clerk, meeting=meeting, scans=sheet.scans, group=meeting.groups.get(name=GROUP),
                           grades=grades)
        serials = serials - {sheet.serial}


def _type_as_read(meeting: Meeting, clerk: Any, serials: set[int]) -> None:
    """The second entry of sheets ``serials``, typed by ``clerk`` from the paper, as the first clerk confirmed it."""
    for entry in meeting.paper_entries.filter(serial__in=serials):
        services.paper_enter(actor=clerk, meeting=meeting, group=entry.group, serial=entry.serial,
                             grades={int(k): v for k, v in entry.grades.items()})


def scanned(meeting: Meeting, rng: random.Random) -> None:
    """Scan serials 1–4 and 1 again; one clerk confirms 1–3, another confirms the second scan of 1 and types 2
    (counted); 3 waits for its second entry, 4 for a clerk to decide its flagged mark."""
    images = _sheets(meeting, [1, 2, 3, 4], rng, flagged={3, 4})
    for image in [*images, images[0]]:
        scans.scan_store(meeting=meeting, image=image)
    town, county = demo_admin(meeting.campaign.convener), demo_admin(Organization.objects.get(code=HAIYAN_CODE))
    _confirm(meeting, town, {1, 2, 3}, decide=meeting.grades[1])
    _confirm(meeting, county, {1}, decide="")
    _type_as_read(meeting, county, {2})


def rehearsed(meeting: Meeting, rng: random.Random) -> Meeting:
    """Rehearse ``meeting``: rehearsal codes, a few phones, one paper sheet read from its scan, then close."""
    admin = demo_admin(meeting.campaign.convener)
    copy = rehearsal.rehearsal_start(actor=admin, meeting=meeting)
    codes = services.codes_issue(actor=admin, meeting=copy)
    services.meeting_open(actor=admin, meeting=copy)
    copy.refresh_from_db()
    items = list(copy.agenda.order_by("order"))
    for _group, code in codes[:6]:
        services.ballot_submit(meeting=copy, code=code,
                               marks={i.pk: services.Mark(rng.choice(copy.grades[:3])) for i in items})
    [image] = _sheets(copy, [1], rng, flagged=set())
    scans.scan_store(meeting=copy, image=image)
    _confirm(copy, admin, {1}, decide="")
    _type_as_read(copy, demo_admin(Organization.objects.get(code=HAIYAN_CODE)), {1})
    services.meeting_close(actor=admin, meeting=copy, drop_single_entries=True)
    return copy
