"""Paper ballots read by the machine: a clerk uploads a scanner's PDF or TIFF or phone photos; a background job
reads every page with the pure reader (:mod:`.omr`) and keeps its image (:class:`~.models.PaperScan`); the clerk
looks at each sheet beside its image, decides every flagged mark, and confirms it, which makes it that clerk's
entry of the paper double entry (:func:`.paper.paper_enter`). Nothing is counted before a person confirms, and a
sheet already counted is never counted again, however often it is scanned.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dianti.core import audit, jobs
from dianti.core.models import Job
from dianti.orgs.permissions import ensure_can_manage

from .ballots import VotingClosed
from .models import Meeting, PanelGroup, PaperEntry, PaperScan
from .paper import paper_enter

JOB_KIND = "meetings.omr_read"
MAX_FILES = 20  # DATA_UPLOAD_MAX_NUMBER_FILES: a scanner's PDF holds any number of sheets in one file
MAX_BYTES = 200 * 1024 * 1024
MAX_SIDE = 2200  # a kept image's longer side in px: a 200 dpi A4 scan is kept as it came
UNDECIDED = None  # a flagged row the clerk has not decided yet

NOT_FOUND = gettext_lazy("没有找到选票四角的定位标记：不是本系统打印的选票，或照片没有拍全整张选票。请重新拍摄或扫描")
OTHER_MEETING = gettext_lazy("这是另一场会议（或模拟测评）的选票，不能计入本场")
OTHER_LAYOUT = gettext_lazy("选票的页数与本场会议的议程不符，可能是议程调整前打印的旧票，请人工录入")
NO_QR = gettext_lazy("二维码无法识别，请对照纸质选票填写选票编号")
TOO_LARGE = gettext_lazy("页数过多或图片过大（每个文件最多 %(pages)d 页，每页不超过 %(pixels)d 万像素）：请拆分成几个文件，或以 200–300 dpi "
                         "重新扫描后上传这一个。其他文件不受影响")
BAD_FILE = gettext_lazy("无法打开：不是 PDF、TIFF 或图片文件，或文件已损坏。其他文件不受影响，请检查后重新上传这一个")
FLAGS = {"none": gettext_lazy("没有标记"), "multiple": gettext_lazy("多个方框有标记"), "corrected": gettext_lazy("有涂改"),
         "ambiguous": gettext_lazy("标记不清"), "faint": gettext_lazy("标记很淡"),
         "unreadable": gettext_lazy("整页无法可靠识别")}


def _ensure_open(actor: Any, meeting: Meeting) -> None:
    ensure_can_manage(actor, meeting.campaign.convener)
    if meeting.status != Meeting.Status.OPEN:
        raise VotingClosed(_("只有进行中的会议可以录入纸质选票"))


def scans_submit(*, actor: Any, meeting: Meeting, files: Sequence[Any]) -> Job:
    """Queue the reading of uploaded scans or photos (``files``, Django uploads) and return the job.

    The files travel to the job as one zip (the job's input file, deleted with the other job files after
    ``RETENTION_JOB_FILES_DAYS``); what is kept of them is each page's image, as a :class:`PaperScan`.
    """
    _ensure_open(actor, meeting)
    if not files:
        raise ValidationError(_("请选择扫描件（PDF、TIFF）或选票照片"))
    if len(files) > MAX_FILES:
        raise ValidationError(_("一次最多上传 %(n)d 个文件；更多选票请扫描成一个 PDF 上传") % {"n": MAX_FILES})
    if sum(getattr(f, "size", 0) or 0 for f in files) > MAX_BYTES:
        raise ValidationError(_("文件合计超过 200 MB，请分批上传"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for i, f in enumerate(files, start=1):
            zf.writestr(f"{i:03d}/{getattr(f, 'name', 'scan')[-80:]}", f.read())
    back = reverse("meeting_scans", args=[meeting.pk])
    job = jobs.submit(kind=JOB_KIND, title=_("识别纸质选票：%(title)s") % {"title": meeting.title}, actor=actor,
                      params={"meeting_id": meeting.pk, "back": back},
                      input_file=ContentFile(buf.getvalue(), name="scans.zip"))
    audit.record(actor=actor, action="meeting.paper_scan", target=meeting, org_path=meeting.org_path,
                 note=_("上传 %(n)d 个扫描文件待识别") % {"n": len(files)})
    return job


def _images(data: bytes) -> tuple[int, Iterator[npt.NDArray[np.uint8]]]:
    """Return the file's page count and its pages (a PDF's rasterised one at a time); raise
    :class:`~.omr.sources.TooLarge` past the bounds and ``ValueError`` for a file that is no PDF or image."""
    from .omr import sources

    if data[:5] == b"%PDF-":
        return sources.pdf_page_count(data), sources.pdf_pages(data)
    return sources.image_pages(data)


def _page_count(data: bytes) -> int:
    """Return how many pages the file holds, from its headers (0 for a file that is no PDF or image)."""
    from .omr import sources

    try:
        return sources.pdf_page_count(data) if data[:5] == b"%PDF-" else sources.check_image_size(data)
    except Exception:  # noqa: BLE001 — unreadable, or too large: read_job names it; it counts no page
        return 0


def _jpeg(image: npt.NDArray[np.uint8]) -> bytes:
    import cv2

    scale = min(1.0, MAX_SIDE / max(image.shape[:2]))
    if scale < 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)  # type: ignore[assignment]
    _ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    return bytes(buf)


def _row_json(row: Any) -> dict[str, Any]:
    return {"item": row.row, "choice": row.choice, "confidence": round(row.confidence, 3), "flag": row.flag}


def _judge(meeting: Meeting, read: Any) -> tuple[str, str]:
    """Return the new scan's status and what the clerk must know about it."""
    if not read.found:
        return PaperScan.Status.REJECTED, str(NOT_FOUND)
    if read.reason in ("other_meeting", "other_layout"):
        return PaperScan.Status.REJECTED, str(OTHER_MEETING if read.reason == "other_meeting" else OTHER_LAYOUT)
    if read.serial is None:
        return PaperScan.Status.READ, str(NO_QR)
    if PaperEntry.objects.filter(meeting=meeting, serial=read.serial, accepted=True).exists():
        return PaperScan.Status.DUPLICATE, _("编号 %(serial)s 已经计入，这是重复扫描，不会再计") % {"serial": read.serial}
    if PaperScan.objects.filter(meeting=meeting, serial=read.serial, page=read.page,
                                status__in=[PaperScan.Status.READ, PaperScan.Status.CONFIRMED]).exists():
        return PaperScan.Status.READ, _("编号 %(serial)s 已扫描过：确认本张即为该票的另一次录入，须由另一位录入员"
                                        "确认") % {"serial": read.serial}
    return PaperScan.Status.READ, ""


def scan_store(*, meeting: Meeting, image: npt.NDArray[np.uint8], job: Job | None = None) -> PaperScan:
    """Read one page image and keep it with what was read; count nothing."""
    from .documents import ballot_spec
    from .omr.read import read_sheet

    read = read_sheet(image, ballot_spec(meeting))
    status, problem = _judge(meeting, read)
    ours = read.found and read.reason not in ("other_meeting", "other_layout")
    scan = PaperScan(meeting=meeting, job=job, status=status, problem=problem[:200],
                     serial=read.serial if ours else None, page=read.page or 1, pages=read.pages or 1,
                     read={"group": _row_json(read.group) if read.group else None,
                           "rows": [_row_json(r) for r in read.rows]} if ours else {})
    scan.image.save("scan.jpg", ContentFile(_jpeg(image)), save=False)
    scan.save()
    return scan


def _files(job: Job) -> Iterator[tuple[str, bytes]]:
    with job.input_file.open("rb") as handle:
        zf = zipfile.ZipFile(io.BytesIO(handle.read()))
    for name in zf.namelist():
        yield name.split("/", 1)[-1], zf.read(name)


def read_job(job: Job, progress: Callable[[int, int], None]) -> dict[str, Any]:
    """The background job: read every page of every uploaded file; a bad file is named and skipped."""
    from .omr import sources

    meeting = Meeting.with_rehearsals.get(pk=job.params["meeting_id"])
    try:
        files = list(_files(job))
    finally:
        # The uploads as they came — a phone photo's EXIF (time, place, device), the clerk's file names — go now:
        # each page is kept as a fresh JPEG of its pixels only (:func:`scan_store`), the bad files' names in the
        # result, and nothing reads the upload again.
        job.input_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(input_file="")
    # Progress counts pages, as the result does ("识别 6 页"), not per-cent of each file ("400 / 400" for 6 pages).
    sizes = [_page_count(data) for _name, data in files]
    problems, counts = [], {s: 0 for s in PaperScan.Status.values}
    for i, (name, data) in enumerate(files):
        try:
            _n, images = _images(data)
            for k, image in enumerate(images):
                counts[scan_store(meeting=meeting, image=image, job=job).status] += 1
                progress(sum(sizes[:i]) + min(k + 1, sizes[i]), sum(sizes))
        except DatabaseError:
            raise
        except sources.TooLarge:
            problems.append({"file": name, "message": str(TOO_LARGE) % {
                "pages": sources.MAX_PAGES, "pixels": sources.MAX_PAGE_PIXELS // 10_000}})
        except Exception:  # noqa: BLE001 — a truncated or corrupt file: said to the clerk, the batch's others go on
            problems.append({"file": name, "message": str(BAD_FILE)})
        progress(sum(sizes[:i + 1]), sum(sizes))
    message = _("识别 %(pages)d 页：待确认 %(read)d 页，重复 %(dup)d 页，无法识别 %(bad)d 页；%(files)d 个文件无法打开") % {
        "pages": sum(counts.values()), "read": counts["read"], "dup": counts["duplicate"], "bad": counts["rejected"],
        "files": len(problems)}
    return {"message": message, "files": problems, "counts": counts}


def _decided(scans: Sequence[PaperScan], grades: Mapping[int, str | None], group: PanelGroup | None,
             labels: Mapping[str, str]) -> dict[int, str]:
    """Return the grades to enter; refuse while a flagged mark is undecided or the group is unknown."""
    missing = []
    for scan in scans:
        for row in scan.read.get("rows", []):
            if row["flag"] and grades.get(int(row["item"])) is UNDECIDED:
                missing.append(labels.get(row["item"], row["item"]))
    if missing:
        raise ValidationError(_("以下标记不清，请对照选票图片作出判断（选等次或“未选”）：%(rows)s")
                              % {"rows": "、".join(missing)})
    if group is None:
        raise ValidationError(_("请对照选票选择评议人类别"))
    return {item: grade or "" for item, grade in grades.items()}


def _sheet_serial(scans: Sequence[PaperScan], serial: int | None) -> int:
    pages = sorted(s.page for s in scans)
    if pages != list(range(1, scans[0].pages + 1)):
        raise ValidationError(_("这张选票共 %(n)d 页，请把每一页各一张一起确认") % {"n": scans[0].pages})
    read = {s.serial for s in scans if s.serial}
    if len(read) > 1:
        raise ValidationError(_("这几页的编号不同，不是同一张选票"))
    found = read.pop() if read else serial
    if not found or found < 1:
        raise ValidationError(_("请对照纸质选票填写选票编号"))
    return found


@transaction.atomic
def scan_confirm(*, actor: Any, meeting: Meeting, scans: Sequence[PaperScan], group: PanelGroup | None,
                 grades: Mapping[int, str | None], serial: int | None = None) -> str:
    """Make the clerk's entry of a sheet from its scanned pages, once every flagged mark is decided; return what
    :func:`.paper.paper_enter` returns, or "counted" (already counted: the scan is a duplicate, nothing counts) or
    "again" (this clerk has entered the serial already: a second entry must be another clerk's)."""
    _ensure_open(actor, meeting)
    scans = list(PaperScan.objects.select_for_update().filter(pk__in=[s.pk for s in scans], meeting=meeting,
                                                              status=PaperScan.Status.READ))
    if not scans:
        raise ValidationError(_("这张选票已确认或已作废，请刷新页面"))
    found = _sheet_serial(scans, serial)
    labels = {str(pk): f"第 {order} 位" for pk, order in meeting.agenda.values_list("pk", "order")}
    clean = _decided(scans, grades, group, labels)
    assert group is not None
    ids = [s.pk for s in scans]
    if PaperEntry.objects.filter(meeting=meeting, serial=found, accepted=True).exists():
        PaperScan.objects.filter(pk__in=ids).update(status=PaperScan.Status.DUPLICATE, serial=found,
                                                    problem=_("编号 %(s)s 已经计入，重复扫描不再计") % {"s": found})
        return "counted"
    if PaperEntry.objects.filter(meeting=meeting, serial=found, clerk=actor).exists():
        PaperScan.objects.filter(pk__in=ids).update(status=PaperScan.Status.DUPLICATE, serial=found,
                                                    problem=_("同一录入员不能录入同一张选票两次"))
        return "again"
    outcome = paper_enter(actor=actor, meeting=meeting, group=group, serial=found, grades=clean,
                          source=PaperEntry.Source.SCAN)
    entry = PaperEntry.objects.get(meeting=meeting, serial=found, clerk=actor)
    PaperScan.objects.filter(pk__in=ids).update(status=PaperScan.Status.CONFIRMED, serial=found, entry=entry,
                                                problem="")
    return outcome


def upright_jpeg(scan: PaperScan) -> bytes:
    """Return the kept image de-skewed and upright as the reader measured it (its four markers found again), or the
    image as kept when they are not found: the clerk compares each row with its band of this image."""
    import cv2

    from .omr.locate import locate

    with scan.image.open("rb") as handle:
        data = handle.read()
    gray = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    located = locate(gray) if gray is not None else None
    return data if located is None else _jpeg(located.page)


@transaction.atomic
def scan_discard(*, actor: Any, meeting: Meeting, scan: PaperScan) -> None:
    """Set aside a scan the clerk will not confirm (a blurred photo taken again, a page scanned twice)."""
    ensure_can_manage(actor, meeting.campaign.convener)
    if scan.meeting_id != meeting.pk or scan.status != PaperScan.Status.READ:
        raise ValidationError(_("这张选票已确认或已作废，请刷新页面"))
    PaperScan.objects.filter(pk=scan.pk).update(status=PaperScan.Status.REJECTED, problem=_("录入员已作废此扫描件"))
    audit.record(actor=actor, action="meeting.paper_scan_discard", target=meeting, org_path=meeting.org_path,
                 note=_("作废一张扫描件（编号 %(s)s）") % {"s": scan.serial or "?"})
