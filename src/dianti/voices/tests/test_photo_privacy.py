"""Photos sent with opinions are stored without the EXIF metadata that would locate or identify the sender."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dianti.voices.tests.factories import opinion


def test_an_anonymous_photo_is_stored_without_its_location_or_device(tree: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"  # camera make
    exif[0x8825] = {1: "N", 2: (30.0, 31.0, 5.0)}  # GPS: where the villager stood
    raw = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(raw, "JPEG", exif=exif)
    photo = SimpleUploadedFile("p.jpg", raw.getvalue(), content_type="image/jpeg")
    op = opinion(tree.village_a1, "村口的路灯坏了好几个月", photo=photo)
    with Image.open(op.photo.path) as stored:
        assert dict(stored.getexif()) == {} and stored.size == (40, 30)
