"""Avatars: the only pictures of members the site shows are the ones it stores itself.

An uploaded file and a picture fetched from a sign-in provider take the same path: the type is
read from the content (JPEG, PNG or WebP only; the file name and the declared type mean nothing),
the size and pixel count are capped before decoding (a 40 KB PNG can unpack into gigabytes), the
picture is cut to a centred square, scaled down and re-encoded as WebP under a random name. The
re-encoding drops EXIF (GPS position, camera serial number) and any payload hidden in the file.
Pages never show a provider's URL: every picture a visitor's browser loads comes from this site."""

import http.client
import ipaddress
import logging
import socket
import time
import uuid
import warnings
from io import BytesIO
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import User

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
OUTPUT_FORMAT = "WEBP"
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 3


def max_bytes() -> int:
    return settings.AVATAR_MAX_BYTES


def _reject(message) -> ValidationError:
    return ValidationError(message, code="invalid_avatar")


def avatar_thumbnail(data: bytes) -> bytes:
    """The square WebP thumbnail of a JPEG, PNG or WebP picture, or a translated
    ValidationError saying what is wrong with it."""
    if len(data) > max_bytes():
        raise _reject(
            _("The picture is too large: at most %(megabytes)s MB.")
            % {"megabytes": max_bytes() // (1024 * 1024)}
        )
    try:
        # Pillow's own bomb check only warns below twice its limit; ours is stricter and runs
        # on the header, before a single pixel is decoded.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=ACCEPTED_FORMATS)
            width, height = image.size
            if width * height > settings.AVATAR_MAX_PIXELS:
                raise Image.DecompressionBombError
            image.seek(0)  # The first frame of an animated picture.
            image.load()
    except UnidentifiedImageError:
        raise _reject(_("Upload a JPEG, PNG or WebP picture.")) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _reject(_("The picture has too many pixels. Please upload a smaller one.")) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        # Truncated or malformed data that passed the header check.
        raise _reject(_("The picture is damaged. Please upload another file.")) from None

    # Phones store pictures sideways and say so in EXIF; turn the pixels before EXIF goes.
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    size = settings.AVATAR_SIZE
    square = ImageOps.fit(image, (min(size, *image.size),) * 2, Image.Resampling.LANCZOS)
    # A fresh image carries no metadata at all: nothing of the original file's info survives.
    clean = Image.new(square.mode, square.size)
    clean.paste(square)
    output = BytesIO()
    clean.save(output, OUTPUT_FORMAT, quality=85, method=4)
    return output.getvalue()


def _delete_file_after_commit(name: str) -> None:
    if not name:
        return
    field = User._meta.get_field("avatar")
    transaction.on_commit(lambda: field.storage.delete(name))


@transaction.atomic
def avatar_save(*, user: User, data: bytes) -> None:
    """Store `data` (an uploaded or fetched picture) as the member's avatar, replacing and
    deleting the previous one. Raises ValidationError if the picture is not acceptable."""
    thumbnail = avatar_thumbnail(data)
    previous = user.avatar.name
    # A random name: the URL reveals nothing about the member and changes with every picture,
    # so browsers and proxies never show an old one.
    user.avatar.save(f"{uuid.uuid4().hex}.webp", ContentFile(thumbnail), save=False)
    user.save(update_fields=["avatar"])
    _delete_file_after_commit(previous)


@transaction.atomic
def avatar_remove(*, user: User) -> None:
    previous = user.avatar.name
    if not previous:
        return
    user.avatar = ""
    user.save(update_fields=["avatar"])
    _delete_file_after_commit(previous)


# Fetching from a sign-in provider ---------------------------------------------------------------


class _RefusedAddress(OSError):
    pass


def _is_public_address(address: str) -> bool:
    """Only addresses on the public internet: the server must not be made to fetch from the
    bank's own network (169.254.169.254, 10.0.0.0/8, localhost…) on behalf of a profile URL."""
    return ipaddress.ip_address(address.split("%", 1)[0]).is_global


def _connect_public(address, timeout=None, source_address=None):
    """socket.create_connection, refusing non-public addresses. The check is made on the very
    address connected to, so a DNS answer that changes between check and use cannot slip by."""
    host, port = address
    error: OSError = _RefusedAddress(f"no public address for {host}")
    for family, kind, proto, _name, sockaddr in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    ):
        if not _is_public_address(sockaddr[0]):
            raise _RefusedAddress(f"{host} resolves to a non-public address")
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error


class _PublicHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_public


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_public


def _fetch(url: str) -> bytes | None:
    """The body of a picture at a public http(s) URL, or None: wrong scheme or address, not
    200, larger than the cap, or slower than the timeout in total."""
    timeout = settings.AVATAR_FETCH_TIMEOUT
    deadline = time.monotonic() + timeout
    limit = max_bytes()
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        connection_class = (
            _PublicHTTPSConnection if parts.scheme == "https" else _PublicHTTPConnection
        )
        connection = connection_class(parts.hostname, parts.port, timeout=timeout)
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request(
                "GET",
                target,
                headers={"Accept": "image/webp,image/png,image/jpeg", "User-Agent": "Vmeste"},
            )
            response = connection.getresponse()
            if response.status in REDIRECT_STATUSES and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if response.status != 200:
                return None
            declared = response.getheader("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                return None
            chunks, received = [], 0
            while chunk := response.read1(64 * 1024):
                received += len(chunk)
                if received > limit or time.monotonic() > deadline:
                    return None
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            connection.close()
    return None


def avatar_save_from_url(*, user: User, url: str) -> bool:
    """Download the picture a sign-in provider gave for this member and store it as their
    avatar, through the same checks as an upload. Never raises: a sign-in must not fail because
    a provider's picture is slow, huge or broken. Returns whether an avatar was stored."""
    try:
        data = _fetch(url)
        if data is None:
            logger.info("Avatar not fetched for user %s", user.pk)
            return False
        avatar_save(user=user, data=data)
    except ValidationError:
        logger.info("Avatar from the provider refused for user %s", user.pk)
        return False
    except Exception:
        # Network errors of every kind (DNS, TLS, resets, refused addresses) and storage
        # failures: the member simply keeps their initials.
        logger.warning("Avatar download failed for user %s", user.pk, exc_info=True)
        return False
    return True
