"""Builders and fixtures for the profile, settings, staff, export and deletion tests. Kept out of
tests/accounts/conftest.py, which the sign-in tests share; test modules import what they use."""

from io import BytesIO

import pytest
from PIL import Image


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (300, 200), mode: str = "RGB", **save
) -> bytes:
    """A real picture in `fmt`, coloured so a resize has something to keep."""
    colour = {"RGB": (255, 0, 0), "RGBA": (255, 0, 0, 128)}.get(mode, 128)
    image = Image.new(mode, size, colour)
    output = BytesIO()
    image.save(output, fmt, **save)
    return output.getvalue()


def jpeg_with_exif() -> bytes:
    """A JPEG that says where it was taken and that it is stored rotated."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display.
    exif[0x010F] = "Secret Camera Maker"
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)}  # GPS
    return image_bytes("JPEG", size=(400, 200), exif=exif)


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary directory, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
