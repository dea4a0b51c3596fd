"""Avatars: type read from the content, size and pixel caps, a square WebP without EXIF, the old
file deleted, and the provider download that never raises and never leaves the public internet."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image

from accounts import avatars
from accounts.templatetags.avatars import avatar, initials
from tests.accounts.profile_helpers import image_bytes, jpeg_with_exif, media_root, stored_files
from tests.conftest import make_user

__all__ = ["media_root"]

pytestmark = pytest.mark.django_db


def _open(data: bytes) -> Image.Image:
    return Image.open(BytesIO(data))


# The thumbnail ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_become_a_256_pixel_webp_square(fmt):
    thumbnail = _open(avatars.avatar_thumbnail(image_bytes(fmt, size=(600, 400))))

    assert thumbnail.format == "WEBP"
    assert thumbnail.size == (256, 256)


def test_a_small_picture_is_squared_but_not_enlarged():
    assert _open(avatars.avatar_thumbnail(image_bytes(size=(100, 60)))).size == (60, 60)


def test_transparency_is_kept():
    thumbnail = _open(avatars.avatar_thumbnail(image_bytes("PNG", mode="RGBA")))

    assert thumbnail.mode == "RGBA"


def test_exif_is_stripped_and_the_picture_turned_upright_first():
    thumbnail = _open(avatars.avatar_thumbnail(jpeg_with_exif()))

    assert "exif" not in thumbnail.info
    assert len(thumbnail.getexif()) == 0
    assert b"Secret Camera Maker" not in avatars.avatar_thumbnail(jpeg_with_exif())


def test_exif_orientation_is_applied_before_cropping(settings):
    """A 400×200 picture stored sideways is 200×400 upright: a left half red, right half blue
    turns into a top half red and bottom half blue, which the square crop keeps."""
    settings.AVATAR_SIZE = 200
    image = Image.new("RGB", (400, 200), "red")
    image.paste(Image.new("RGB", (200, 200), "blue"), (200, 0))
    exif = Image.Exif()
    exif[0x0112] = 6
    output = BytesIO()
    image.save(output, "JPEG", exif=exif)

    thumbnail = _open(avatars.avatar_thumbnail(output.getvalue())).convert("RGB")

    top, bottom = thumbnail.getpixel((100, 10)), thumbnail.getpixel((100, 190))
    assert top[0] > 200 and top[2] < 60  # red
    assert bottom[2] > 200 and bottom[0] < 60  # blue


@pytest.mark.parametrize(
    "data",
    [
        image_bytes("GIF"),
        image_bytes("BMP"),
        image_bytes("TIFF"),
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"%PDF-1.4 not a picture",
        b"",
    ],
    ids=["gif", "bmp", "tiff", "svg", "pdf", "empty"],
)
def test_anything_but_jpeg_png_or_webp_is_refused_whatever_its_name(data):
    with pytest.raises(ValidationError) as error:
        avatars.avatar_thumbnail(data)

    assert error.value.code == "invalid_avatar"


def test_a_truncated_picture_is_refused():
    data = image_bytes("PNG", size=(500, 500))

    with pytest.raises(ValidationError):
        avatars.avatar_thumbnail(data[: len(data) // 2])


def test_a_file_over_the_size_cap_is_refused_before_decoding(settings):
    settings.AVATAR_MAX_BYTES = 1000

    with translation.override("en"), pytest.raises(ValidationError, match="too large"):
        avatars.avatar_thumbnail(image_bytes("PNG", size=(600, 600), compress_level=0))


def test_a_decompression_bomb_is_refused_from_its_header(settings):
    """A few kilobytes of PNG that would unpack into 20,000 × 20,000 pixels (1.2 GB)."""
    bomb = image_bytes("PNG", size=(20_000, 20_000), mode="1")
    assert len(bomb) < 100_000

    with translation.override("en"), pytest.raises(ValidationError, match="too many pixels"):
        avatars.avatar_thumbnail(bomb)


# Storing --------------------------------------------------------------------------------------


def test_saving_stores_a_webp_under_a_random_name_and_deletes_the_previous_file(
    media_root, django_capture_on_commit_callbacks
):
    user = make_user(username="ivan")
    with django_capture_on_commit_callbacks(execute=True):
        avatars.avatar_save(user=user, data=image_bytes())
    first = user.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        avatars.avatar_save(user=user, data=image_bytes("JPEG"))

    user.refresh_from_db()
    assert user.avatar.name != first
    assert user.avatar.name.startswith("avatars/") and user.avatar.name.endswith(".webp")
    assert "ivan" not in user.avatar.name
    assert stored_files(media_root) == [user.avatar.name]


def test_removing_clears_the_field_and_deletes_the_file(
    media_root, django_capture_on_commit_callbacks
):
    user = make_user()
    avatars.avatar_save(user=user, data=image_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        avatars.avatar_remove(user=user)

    user.refresh_from_db()
    assert not user.avatar
    assert stored_files(media_root) == []


def test_a_refused_picture_leaves_the_current_avatar_alone(media_root):
    user = make_user()
    avatars.avatar_save(user=user, data=image_bytes())
    current = user.avatar.name

    with pytest.raises(ValidationError):
        avatars.avatar_save(user=user, data=b"not a picture")

    user.refresh_from_db()
    assert user.avatar.name == current
    assert stored_files(media_root) == [current]


# The template tag ------------------------------------------------------------------------------


def test_the_tag_shows_our_stored_picture_never_the_providers_url(media_root):
    user = make_user(avatar_url="https://sun1.userapi.com/photo.jpg")
    avatars.avatar_save(user=user, data=image_bytes())

    html = avatar(user, 96)

    assert f'src="/media/{user.avatar.name}"' in html
    assert "userapi" not in html
    assert 'alt=""' in html


def test_without_a_picture_the_tag_shows_initials_and_never_the_providers_url():
    user = make_user(display_name="Иван Петров", avatar_url="https://sun1.userapi.com/photo.jpg")

    html = avatar(user, 48)

    assert ">ИП</span>" in html
    assert "<img" not in html and "userapi" not in html


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Иван Петров", "ИП"), ("maria", "M"), ("Анна Мария Смирнова", "АМ"), ("— —", "?")],
)
def test_initials_are_the_first_letters_of_the_first_two_words(name, expected):
    assert initials(make_user(display_name=name)) == expected


# Fetching from a provider ----------------------------------------------------------------------


class _Picture(BaseHTTPRequestHandler):
    """A tiny picture server: /ok.png, /big.png, /text, /missing, /redirect → /ok.png."""

    routes: dict = {}

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def picture_server(monkeypatch):
    """A real HTTP server on 127.0.0.1. Loopback is not public, so the address check is
    relaxed for it alone; the test below checks the real rule."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Picture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Picture.routes = {
        "/ok.png": (200, {"Content-Type": "image/png"}, image_bytes("PNG")),
        "/big.png": (200, {}, image_bytes("PNG", size=(900, 900), compress_level=0)),
        "/text": (200, {"Content-Type": "image/png"}, b"<html>not a picture</html>"),
        "/redirect": (302, {"Location": "/ok.png"}, b""),
        "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/"}, b""),
    }
    monkeypatch.setattr(avatars, "_is_public_address", lambda address: address in ("127.0.0.1",))
    yield base
    server.shutdown()
    server.server_close()


def test_a_providers_picture_is_downloaded_and_stored_like_an_upload(media_root, picture_server):
    user = make_user()

    assert avatars.avatar_save_from_url(user=user, url=f"{picture_server}/ok.png") is True

    user.refresh_from_db()
    assert _open(user.avatar.read()).format == "WEBP"


def test_redirects_are_followed(media_root, picture_server):
    user = make_user()

    assert avatars.avatar_save_from_url(user=user, url=f"{picture_server}/redirect") is True


@pytest.mark.parametrize("path", ["/missing", "/text", "/big.png", "/to-metadata"])
def test_a_bad_answer_stores_nothing_and_does_not_raise(media_root, picture_server, settings, path):
    settings.AVATAR_MAX_BYTES = 100_000
    user = make_user()

    assert avatars.avatar_save_from_url(user=user, url=f"{picture_server}{path}") is False

    user.refresh_from_db()
    assert not user.avatar
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/avatar.png",
        "http://localhost/avatar.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/avatar.png",
        "http://[::1]/avatar.png",
        "file:///etc/passwd",
        "ftp://example.com/avatar.png",
        "javascript:alert(1)",
        "not a url",
        "",
    ],
)
def test_urls_outside_the_public_internet_are_never_fetched(media_root, url, monkeypatch):
    connections = []
    real = avatars.socket.socket

    def spy(*args, **kwargs):
        connections.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(avatars.socket, "socket", spy)
    user = make_user()

    assert avatars.avatar_save_from_url(user=user, url=url) is False
    assert connections == []


def test_a_server_that_never_answers_gives_up_after_the_timeout(media_root, settings, monkeypatch):
    """A listening socket that accepts and never replies: the fetch ends with the timeout."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    settings.AVATAR_FETCH_TIMEOUT = 0.2
    monkeypatch.setattr(avatars, "_is_public_address", lambda address: True)
    user = make_user()
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/a.png"
        assert avatars.avatar_save_from_url(user=user, url=url) is False
    finally:
        silent.close()


def test_the_address_rule_allows_only_global_addresses():
    assert avatars._is_public_address("93.184.216.34")
    assert avatars._is_public_address("2a00:1450:4010:c05::8a")
    for private in [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "172.16.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1%eth0",
        "fc00::1",
        "0.0.0.0",
        "100.64.0.1",
    ]:
        assert not avatars._is_public_address(private), private
