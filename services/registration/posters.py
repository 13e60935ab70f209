"""Event posters: what staff upload, re-encoded with Pillow into two small JPEGs that carry nothing but the picture.

The upload itself is never served: a photo from a phone carries EXIF (where it was taken, by which phone), and a
crafted file is a risk to whoever decodes it next. Only the pixels go on, decoded once here, within size limits.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

#: Largest upload accepted (a phone photo or a designed poster fits; a camera RAW does not).
MAX_BYTES = 5 * 1024 * 1024
#: Largest picture decoded: 50 megapixels (a recent phone's full-size photo). A small file that unpacks to more, a
#: "decompression bomb", is refused before its pixels are read.
MAX_PIXELS = 50_000_000
#: Link previews (og:image) want about 1200 px; the event page shows 600 px (enough for a phone's screen).
LARGE_BOX, SMALL_BOX = (1200, 1200), (600, 800)
FORMATS = ("JPEG", "PNG", "WEBP")
QUALITY = 82

TOO_LARGE = _l("Poster terlalu besar: paling besar 5 MB.")
NOT_AN_IMAGE = _l("Berkas ini bukan gambar JPEG, PNG atau WebP yang utuh. Pilih berkas gambar lain.")
TOO_MANY_PIXELS = _l("Ukuran gambar terlalu besar (lebih dari 50 megapiksel). Perkecil gambarnya lalu unggah lagi.")


class PosterRefused(ValueError):
    """An upload that cannot be a poster; `message` says why, for the organiser."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Poster:
    version: str
    large: bytes
    large_size: tuple[int, int]
    small: bytes
    small_size: tuple[int, int]


def prepare(data: bytes) -> Poster:
    """Decode an uploaded JPEG, PNG or WebP and return it re-encoded as two JPEGs without metadata."""
    if len(data) > MAX_BYTES:
        raise PosterRefused(TOO_LARGE)
    picture = _decode(data)
    large, large_size = _encode(picture, LARGE_BOX)
    small, small_size = _encode(picture, SMALL_BOX)
    return Poster(hashlib.sha256(large).hexdigest()[:16], large, large_size, small, small_size)


def _decode(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            if image.width * image.height > MAX_PIXELS:
                raise PosterRefused(TOO_MANY_PIXELS)
            image.draft("RGB", (LARGE_BOX[0] * 2, LARGE_BOX[1] * 2))  # a JPEG decodes at a reduced scale: faster
            image = ImageOps.exif_transpose(image)  # turned as the phone held it, before its EXIF is dropped
    except PosterRefused:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise PosterRefused(TOO_MANY_PIXELS) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise PosterRefused(NOT_AN_IMAGE) from error
    return _flatten(image)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white (as the poster looks on the page)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(picture: Image.Image, box: tuple[int, int]) -> tuple[bytes, tuple[int, int]]:
    copy = picture.copy()
    copy.thumbnail(box, Image.Resampling.LANCZOS)  # never enlarged
    copy.info = {}  # what the upload said about itself (a JPEG comment is written again from here): forgotten
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)  # no exif=, xmp=, icc_profile=
    return out.getvalue(), copy.size


#: A scanned signature: at most 1 MB uploaded, kept as a PNG of at most 600 x 240 px (printed about 5 cm wide).
SIGNATURE_MAX_BYTES = 1024 * 1024
SIGNATURE_BOX = (600, 240)
SIGNATURE_TOO_LARGE = _l("Gambar tanda tangan terlalu besar: paling besar 1 MB.")


def prepare_signature(data: bytes) -> bytes:
    """Decode an uploaded scan of a signature and return it as a small PNG without metadata (PosterRefused if not)."""
    if len(data) > SIGNATURE_MAX_BYTES:
        raise PosterRefused(SIGNATURE_TOO_LARGE)
    picture = _decode(data)
    picture.thumbnail(SIGNATURE_BOX, Image.Resampling.LANCZOS)
    picture.info = {}
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=True)
    return out.getvalue()
