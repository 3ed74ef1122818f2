"""The attacker's view of paper ballots read by the machine: nothing kept of a scan — its image, its upload, its
job — links a sheet to the person who filled it in; only those who run the meeting open a sheet; nobody reaches
another meeting's scans through their own; garbage is refused in Chinese and leaves nothing; a wiped rehearsal
leaves no image, row, job or upload behind."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dianti.core.models import AuditEvent, Job
from dianti.meetings import omr_samples, rehearsal, scans
from dianti.meetings.documents import ballot_spec
from dianti.meetings.models import Meeting, PaperEntry, PaperScan
from dianti.meetings.omr import layout as L
from dianti.meetings.omr import sources
from dianti.meetings.scan_reads import sheets_waiting

from .factories import held

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def h(tree, users):
    return held(tree)


def _marked(meeting: Meeting, serial: int, seed: int = 0) -> np.ndarray:
    lay = L.page_layouts(ballot_spec(meeting))[0]
    items = list(meeting.agenda.order_by("order"))
    rows = {"group": ("tick", "党员代表")} | {str(item.pk): ("tick", "好") for item in items}
    page = omr_samples.printed(meeting, [serial])[serial][0]
    return omr_samples.degrade(omr_samples.fill(page, lay, rows, seed=seed), "scan", seed)


def _upload(meeting, clerk, capture, *files):
    with capture(execute=True):
        job = scans.scans_submit(actor=clerk, meeting=meeting,
                                 files=[SimpleUploadedFile(name, data) for name, data in files])
    job.refresh_from_db()
    return job


def _phone_photo(image: np.ndarray) -> bytes:
    """A phone's JPEG of ``image``: its EXIF says when, where and on what it was taken."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "HUAWEI"  # Make
    exif[0x0110] = "ClerkPhone-Li"  # Model
    exif[0x0132] = "2026:12:07 09:31:05"  # DateTime
    exif[0x8825] = {1: "N", 2: (30.0, 31.0, 12.5), 3: "E", 4: (120.0, 54.0, 3.2)}  # GPS
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", exif=exif, quality=90)
    return buf.getvalue()


def _media_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_kept_scan_holds_the_pixels_only_and_the_phones_upload_is_gone_once_read(
        h, users, django_capture_on_commit_callbacks):
    photo = _phone_photo(_marked(h.meeting, 12345678))
    assert b"ClerkPhone-Li" in photo and b"Exif" in photo
    job = _upload(h.meeting, users.town_admin, django_capture_on_commit_callbacks, ("李四-第3排-座位12.jpg", photo))
    assert job.result["counts"]["read"] == 1
    scan = PaperScan.objects.get()
    assert scan.serial == 12345678  # an eight-digit serial as printed reads back from its QR code
    kept = scan.image.read()
    assert kept[:3] == b"\xff\xd8\xff" and b"Exif" not in kept and b"ClerkPhone" not in kept and b"HUAWEI" not in kept
    assert "李四" not in scan.image.name and "座位" not in scan.image.name
    # The upload (the photo with its EXIF, under the clerk's file name) does not wait for the retention sweep.
    assert not Job.objects.get(pk=job.pk).input_file
    files = _media_files()
    assert [p.parent.name for p in files] == [str(h.meeting.pk)]
    assert not any(b"ClerkPhone" in p.read_bytes() for p in files)


def test_those_who_see_the_meeting_but_do_not_run_it_never_open_a_sheet(
        h, users, client, django_capture_on_commit_callbacks):
    _upload(h.meeting, users.town_admin, django_capture_on_commit_callbacks,
            ("s.jpg", omr_samples.jpeg(_marked(h.meeting, 23456789))))
    scan = PaperScan.objects.get()
    scans.scan_confirm(actor=users.town_admin, meeting=h.meeting, scans=[scan], group=h.group("党员代表"),
                       grades={item.pk: "好" for item in h.items})
    image = reverse("meeting_scan_image", args=[h.meeting.pk, scan.pk])
    upright = reverse("meeting_scan_upright", args=[h.meeting.pk, scan.pk])
    detail = reverse("meeting_detail", args=[h.meeting.pk])
    # The read gate lets only admins open a meeting's pages at all; an admin elsewhere who sits on this town's panel
    # (an evaluator here) sees the meeting, not a person's sheet: a serial seen on a neighbour's sheet must not
    # open their marks.
    from dianti.orgs import services as orgs
    from dianti.orgs.models import Role

    orgs.role_grant(actor=None, user=users.other_town_admin, organization=h.meeting.campaign.convener,
                    role=Role.EVALUATOR)
    client.force_login(users.other_town_admin)
    page = client.get(detail)
    assert page.status_code == 200 and image not in page.content.decode() and "paper-images" not in page.content.decode()
    assert client.get(image).status_code == 403 and client.get(upright).status_code == 403
    for user in (users.evaluator, users.point_staff):
        client.force_login(user)
        assert client.get(image).status_code == 403 and client.get(upright).status_code == 403
    for user in (users.secretary, users.public):
        client.force_login(user)
        assert client.get(image).status_code in (403, 404) and client.get(upright).status_code in (403, 404)
    for user in (users.town_admin, users.county_admin):
        client.force_login(user)
        assert client.get(image).status_code == 200 and image in client.get(detail).content.decode()


def test_a_clerk_reaches_no_other_meetings_scan_through_their_own(
        h, users, client, django_capture_on_commit_callbacks):
    copy = rehearsal.rehearsal_start(actor=users.town_admin, meeting=h.meeting)
    from dianti.meetings import services

    services.codes_issue(actor=None, meeting=copy)
    services.meeting_open(actor=None, meeting=copy)
    copy.refresh_from_db()
    _upload(copy, users.town_admin, django_capture_on_commit_callbacks,
            ("r.jpg", omr_samples.jpeg(_marked(copy, 34567890))))
    theirs = PaperScan.objects.get(meeting=copy)
    client.force_login(users.town_admin)
    real = h.meeting.pk
    assert client.get(reverse("meeting_scan_image", args=[real, theirs.pk])).status_code == 404
    assert client.post(reverse("meeting_scan_discard", args=[real, theirs.pk])).status_code == 404
    response = client.post(reverse("meeting_scan_confirm", args=[real]),
                           {"scans": str(theirs.pk), "group": str(copy.groups.first().pk), "serial": "34567890"},
                           follow=True)
    assert "已确认或已作废" in response.content.decode()
    assert PaperScan.objects.get(pk=theirs.pk).status == PaperScan.Status.READ and not PaperEntry.objects.exists()
    client.force_login(users.other_town_admin)  # another town's admin guesses the rehearsal's ids
    assert client.get(reverse("meeting_scans", args=[copy.pk])).status_code == 404
    assert client.get(reverse("meeting_scan_image", args=[copy.pk, theirs.pk])).status_code == 404


def test_a_wiped_rehearsal_leaves_no_scan_image_job_or_upload(h, users, django_capture_on_commit_callbacks):
    copy = rehearsal.rehearsal_start(actor=users.town_admin, meeting=h.meeting)
    from dianti.meetings import services

    services.codes_issue(actor=None, meeting=copy)
    services.meeting_open(actor=None, meeting=copy)
    copy.refresh_from_db()
    job = _upload(copy, users.town_admin, django_capture_on_commit_callbacks,
                  ("r.jpg", omr_samples.jpeg(_marked(copy, 45678901))), ("bad.pdf", b"%PDF-1.4 truncated"))
    assert job.result["files"] and _media_files()
    rehearsal.rehearsal_wipe(actor=users.town_admin, meeting=h.meeting)
    assert not PaperScan.objects.exists() and not Meeting.with_rehearsals.filter(pk=copy.pk).exists()
    assert not Job.objects.filter(kind=scans.JOB_KIND).exists()
    assert _media_files() == []
    # What stays is staff's own record: started, uploaded, wiped — no serial, no mark.
    notes = " ".join(AuditEvent.objects.values_list("note", flat=True))
    assert "45678901" not in notes and "好" not in notes


def test_a_rehearsal_is_not_wiped_while_its_sheets_are_being_read(h, users):
    """Else the reading job would go on storing images for a meeting that is gone."""
    from django.core.exceptions import ValidationError

    copy = rehearsal.rehearsal_start(actor=users.town_admin, meeting=h.meeting)
    job = Job.objects.create(kind=scans.JOB_KIND, title="识别", status=Job.Status.RUNNING,
                             params={"meeting_id": copy.pk})
    with pytest.raises(ValidationError, match="正在识别"):
        rehearsal.rehearsal_wipe(actor=users.town_admin, meeting=h.meeting)
    assert Meeting.with_rehearsals.filter(pk=copy.pk).exists()
    Job.objects.filter(pk=job.pk).update(created_at=job.created_at - rehearsal.READING_HOLDS_WIPE)  # a lost worker's
    rehearsal.rehearsal_wipe(actor=users.town_admin, meeting=h.meeting)
    assert not Meeting.with_rehearsals.filter(pk=copy.pk).exists() and not Job.objects.filter(pk=job.pk).exists()


def _png_bomb(side: int) -> bytes:
    """A white PNG of ``side``² pixels: a few hundred kilobytes, gigabytes once decoded."""
    import struct
    import zlib

    row = b"\x00" + b"\xff" * side
    data = zlib.compress(row * side, 9)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def test_garbage_is_named_in_chinese_decoded_never_and_leaves_nothing(
        h, users, django_capture_on_commit_callbacks, monkeypatch):
    decoded = []
    monkeypatch.setattr(sources.cv2, "imdecodemulti", lambda *a, **k: decoded.append(a) or (False, []))
    zip_buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(zip_buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.bin", b"\0" * 10_000_000)
    job = _upload(h.meeting, users.town_admin, django_capture_on_commit_callbacks,
                  ("../../../../etc/passwd.jpg", b"root:x:0:0:root:/root:/bin/bash\n"),
                  ("bomb.png", _png_bomb(12_000)), ("bomb.tif", zip_buf.getvalue()),
                  ("..\\..\\选票.pdf", b"%PDF-1.7\n" + b"0" * 1000))
    assert job.status == Job.Status.DONE and decoded == []
    too_big = str(scans.TOO_LARGE) % {"pages": sources.MAX_PAGES, "pixels": sources.MAX_PAGE_PIXELS // 10_000}
    names = [f["file"] for f in job.result["files"]]  # the name as given, shown escaped; never a path on disk
    assert [f["message"] for f in job.result["files"]] == [str(scans.BAD_FILE), too_big, str(scans.BAD_FILE),
                                                           str(scans.BAD_FILE)]
    assert names[1:3] == ["bomb.png", "bomb.tif"] and not any("/" in n for n in names)
    assert not PaperScan.objects.exists() and _media_files() == []  # nothing kept, nothing written outside


def test_an_upload_larger_than_a_request_may_be_is_refused_in_chinese(h, users, client, settings):
    settings.DIANTI_MAX_REQUEST_BYTES = 1024 * 1024
    client.force_login(users.town_admin)
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024))
    response = client.post(reverse("meeting_scans_upload", args=[h.meeting.pk]), {"scans": [big]})
    assert response.status_code == 413 and any("\u4e00" <= c <= "\u9fff" for c in response.content.decode())
    assert not Job.objects.exists()


def test_each_decision_on_a_flagged_mark_is_the_confirming_clerks_with_its_time_and_no_audit_line_holds_a_grade(
        h, users, django_capture_on_commit_callbacks):
    lay = L.page_layouts(ballot_spec(h.meeting))[0]
    page = omr_samples.printed(h.meeting, [56789012])[56789012][0]
    rows = {"group": ("tick", "党员代表"), str(h.items[0].pk): ("tick", "好"), str(h.items[1].pk): ("two", "较好")}
    image = omr_samples.degrade(omr_samples.fill(page, lay, rows), "scan")
    _upload(h.meeting, users.town_admin, django_capture_on_commit_callbacks, ("s.jpg", omr_samples.jpeg(image)))
    [sheet] = sheets_waiting(h.meeting)
    assert sheet.rows[1].flag
    scans.scan_confirm(actor=users.town_admin, meeting=h.meeting, scans=sheet.scans, group=h.group("党员代表"),
                       grades={h.items[0].pk: "好", h.items[1].pk: "差"})
    scan = PaperScan.objects.get()
    assert scan.read["rows"][1]["flag"] and scan.entry.clerk == users.town_admin and scan.entry.created_at
    assert scan.entry.grades[str(h.items[1].pk)] == "差"  # the decision, on the clerk's own entry of the sheet
    for note in AuditEvent.objects.values_list("note", flat=True):
        assert not any(grade in note for grade in ("好", "较好", "一般", "差")), note


def test_the_omr_command_names_a_bomb_or_garbage_and_reads_the_rest_without_decoding_them(h, tmp_path, monkeypatch):
    import json

    import pypdfium2 as pdfium
    from django.core.management import call_command

    rendered = []
    real_render = pdfium.PdfPage.render
    monkeypatch.setattr(pdfium.PdfPage, "render", lambda self, **kw: rendered.append(1) or real_render(self, **kw))
    folder = tmp_path / "scans"
    folder.mkdir()
    doc = pdfium.PdfDocument.new()
    for _ in range(sources.MAX_PAGES + 1):
        doc.new_page(595, 842)
    doc.save(str(folder / "a-endless.pdf"))
    (folder / "b-notes.png").write_bytes(b"not an image at all")
    (folder / "c-bomb.png").write_bytes(_png_bomb(12_000))
    (folder / "d-sheet.jpg").write_bytes(omr_samples.jpeg(_marked(h.meeting, 67890123)))
    out = tmp_path / "marks.json"
    rendered.clear()  # printing the sheet above rendered its PDF
    call_command("omr", "read", str(folder), "--meeting", str(h.meeting.pk), "--out", str(out))
    result = json.loads(out.read_text(encoding="utf-8"))
    assert [s["serial"] for s in result["sheets"]] == [67890123] and rendered == []
    too_big = str(scans.TOO_LARGE) % {"pages": sources.MAX_PAGES, "pixels": sources.MAX_PAGE_PIXELS // 10_000}
    assert [(Path(f["file"]).name, f["message"]) for f in result["files"]] == [
        ("a-endless.pdf", too_big), ("b-notes.png", str(scans.BAD_FILE)), ("c-bomb.png", too_big)]


def test_a_multi_page_tiff_decodes_one_page_at_a_time(monkeypatch):
    from PIL import Image

    pages = [Image.new("L", (400, 300), 255 - i) for i in range(5)]
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", compression="tiff_adobe_deflate", save_all=True, append_images=pages[1:])
    decoded = []
    real = sources.cv2.imdecodemulti
    monkeypatch.setattr(sources.cv2, "imdecodemulti", lambda *a: decoded.append(a[3]) or real(*a))
    n, found = sources.image_pages(buf.getvalue())
    assert n == 5 and decoded == [(0, 1)]  # the first page only, to know it is an image
    assert [int(next(found)[0, 0]) for _ in range(2)] == [255, 254] and decoded == [(0, 1), (1, 2)]
    assert len(list(found)) == 3
    with pytest.raises(ValueError):
        sources.image_pages(b"GIF89a" + b"\0" * 20)
