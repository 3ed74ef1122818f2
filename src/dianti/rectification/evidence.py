"""Checking evidence files (photos and documents) before they are stored: type by content, not by name alone."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_FILES = 9  # what WeChat lets a phone pick at once
PHOTO_EXTS = (".jpg", ".jpeg", ".png", ".webp", ".heic")
DOCUMENT_EXTS = (".pdf", ".docx", ".xlsx", ".doc", ".xls")


def _head(upload: Any, n: int = 8) -> bytes:
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return bytes(head)


def _is_ooxml(upload: Any) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(upload.read())) as z:
            return "[Content_Types].xml" in z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):  # damaged, or a zip version it cannot read
        return False
    finally:
        upload.seek(0)


def kind_of(upload: Any) -> str:
    """Return ``photo`` or ``document`` for an acceptable file; raise a ValidationError saying what to do."""
    name = (getattr(upload, "name", "") or "").lower()
    size = getattr(upload, "size", 0) or 0
    if name.endswith(PHOTO_EXTS):
        if size > MAX_PHOTO_BYTES:
            raise ValidationError(_("照片“%(name)s”超过 10 MB，请压缩后再上传") % {"name": upload.name})
        if name.endswith(".heic"):
            return "photo"  # iPhones' default; Pillow cannot read it, the ftyp box is checked instead
        from PIL import Image, UnidentifiedImageError

        try:
            upload.seek(0)
            with Image.open(upload) as img:
                img.verify()
        except (UnidentifiedImageError, OSError, SyntaxError):
            raise ValidationError(_("无法识别照片“%(name)s”，请上传 JPG 或 PNG 照片") % {"name": upload.name}) from None
        finally:
            upload.seek(0)
        return "photo"
    if name.endswith(DOCUMENT_EXTS):
        if size > MAX_DOCUMENT_BYTES:
            raise ValidationError(_("文件“%(name)s”超过 20 MB") % {"name": upload.name})
        head = _head(upload)
        ok = (head.startswith(b"%PDF") if name.endswith(".pdf") else
              _is_ooxml(upload) if name.endswith((".docx", ".xlsx")) else
              head.startswith(b"\xd0\xcf\x11\xe0"))  # the old Office (OLE) format
        if not ok:
            raise ValidationError(_("文件“%(name)s”已损坏或与扩展名不符") % {"name": upload.name})
        return "document"
    raise ValidationError(_("不支持“%(name)s”的文件类型：请上传照片（JPG、PNG）或文档（PDF、Word、Excel）")
                          % {"name": getattr(upload, "name", "")})


def check_all(files: list[Any]) -> list[tuple[Any, str]]:
    """Return each file with its kind; refuse the lot, naming every problem, if any file is wrong."""
    if len(files) > MAX_FILES:
        raise ValidationError(_("一次最多上传 %(n)d 个文件") % {"n": MAX_FILES})
    out, problems = [], []
    for f in files:
        try:
            out.append((f, kind_of(f)))
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise ValidationError({"files": problems})
    return out
