"""Checking, storing and serving files that users attach.

The type of a file is decided by its content, never by its name: the name is only used
where the content cannot tell (legacy Office formats share one container; CSV and plain
text have no signature). The detected type chooses the stored extension and the MIME
type it is served with, and every file is stored under a generated name, so nothing a
user typed ever becomes a path or a header unencoded.
"""

from __future__ import annotations

import codecs
import math
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO, TypeVar
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _

T = TypeVar("T")
MEGABYTE = 1024 * 1024
# Enough to judge text, and small enough to read for every upload.
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class DetectedType:
    extension: str  # stored extension, without the dot
    content_type: str  # MIME type to serve the file with


@dataclass(frozen=True)
class StoredFile:
    name: str  # path in default_storage
    original_name: str  # the user's file name, for display and download only
    size: int
    content_type: str


PDF = DetectedType("pdf", "application/pdf")
PNG = DetectedType("png", "image/png")
JPEG = DetectedType("jpg", "image/jpeg")
GIF = DetectedType("gif", "image/gif")
DOCX = DetectedType(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
XLSX = DetectedType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PPTX = DetectedType(
    "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)
DOC = DetectedType("doc", "application/msword")
XLS = DetectedType("xls", "application/vnd.ms-excel")
PPT = DetectedType("ppt", "application/vnd.ms-powerpoint")

_SIGNATURES = [
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
]
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The OLE2 container holds Word, Excel and PowerPoint alike (and installers): only the
# name can say which, and only these three names are accepted.
_OLE2_BY_EXTENSION = {"doc": DOC, "xls": XLS, "ppt": PPT}
_OOXML_BY_FOLDER = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_TEXT_KINDS = {"csv": "text/csv", "txt": "text/plain"}
_UTF8_BOM = codecs.BOM_UTF8
# Text that opens with a tag is HTML, SVG or XML, which a browser could run.
_MARKUP_START = re.compile(rb"\s*<[A-Za-z!?/]")
# Tab, line breaks, form feed and the DOS end-of-file mark occur in real CSV files.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")


def check_upload(uploaded: UploadedFile) -> DetectedType:
    """Return the file's type, or raise ``ValidationError`` naming the file and why."""
    name = clean_original_name(uploaded.name or "")
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError(
            _("ファイル「%(name)s」は空です。中身のあるファイルを添付してください。"),
            code="empty",
            params={"name": name},
        )
    limit = settings.KYOSO_UPLOAD_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("ファイル「%(name)s」は %(size)s MB です。%(limit)s MB 以下にしてください。"),
            code="too_large",
            params={"name": name, "size": _megabytes(size, up=True), "limit": _megabytes(limit)},
        )
    uploaded.seek(0)
    try:
        detected = _detect(uploaded, name)
    except _MacroFound:
        raise ValidationError(
            _(
                "ファイル「%(name)s」はマクロを含むため受け付けられません。"
                "マクロなしの形式（.docx・.xlsx・.pptx）で保存し直してください。"
            ),
            code="macro",
            params={"name": name},
        ) from None
    finally:
        uploaded.seek(0)
    if detected is None:
        raise ValidationError(
            _(
                "ファイル「%(name)s」は受け付けられない種類です。"
                "PDF、Word・Excel・PowerPoint、画像（PNG・JPEG・GIF）、CSV を添付してください。"
            ),
            code="type",
            params={"name": name},
        )
    return detected


def store_upload(uploaded: UploadedFile, folder: str) -> StoredFile:
    """Check the file, then save it in ``default_storage`` under a generated name."""
    folder = folder.strip("/")
    if not folder:
        raise ValueError("store_upload needs a folder")
    detected = check_upload(uploaded)
    year = timezone.localdate().year
    wanted = f"{folder}/{year:04d}/{uuid.uuid4().hex}.{detected.extension}"
    uploaded.seek(0)
    name = default_storage.save(wanted, uploaded)
    return StoredFile(
        name=name,
        original_name=clean_original_name(uploaded.name or ""),
        size=uploaded.size,
        content_type=detected.content_type,
    )


def store_and_record(uploaded: UploadedFile, folder: str, record: Callable[[StoredFile], T]) -> T:
    """Check and store a file, then ``record(stored)`` in a transaction (it creates the
    row that points at the file); a failed record leaves no orphan file behind.

    Raises ValidationError (Japanese, naming the file) for a refused type or size."""
    stored = store_upload(uploaded, folder)
    try:
        with transaction.atomic():
            return record(stored)
    except Exception:
        default_storage.delete(stored.name)
        raise


def attachment_response(storage_name: str, original_name: str, content_type: str) -> FileResponse:
    """Serve a stored file as a download under the user's original name."""
    try:
        handle = default_storage.open(storage_name, "rb")
    except FileNotFoundError:
        raise Http404(storage_name) from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition(original_name)
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser render the file anyway, it gets no script, no styles, no origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def content_disposition(original_name: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one per RFC 6266/5987."""
    name = clean_original_name(original_name) or "download"
    return f"attachment; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name)}"


def clean_original_name(name: str) -> str:
    """The user's file name without folders or control characters, in NFC.

    macOS sends decomposed kana (ハ + ゛); NFC makes 「バ」 one character again, so the
    name reads and sorts like one typed on Windows.
    """
    name = PurePath(name.replace("\\", "/")).name
    name = unicodedata.normalize("NFC", name)
    return "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()


def _ascii_fallback(name: str) -> str:
    # For clients that ignore filename*: keep what ASCII there is, else a neutral stem.
    path = PurePath(name)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", path.stem).strip("._")
    suffix = path.suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", path.suffix) else ""
    if not re.search(r"[A-Za-z0-9]", stem):
        stem = "download"
    return stem + suffix


def _megabytes(size: int, up: bool = False) -> str:
    # The size is rounded up and the limit down, so a file just over the limit never
    # reads as "20 MB です。20 MB 以下に…".
    tenths = size * 10 / MEGABYTE
    value = (math.ceil(tenths) if up else math.floor(tenths)) / 10
    return f"{value:.1f}".removesuffix(".0")


class _MacroFound(Exception):
    pass


def _detect(file: BinaryIO, name: str) -> DetectedType | None:
    """The detected type, or None; raises ``_MacroFound`` for macro-enabled Office files."""
    head = file.read(SNIFF_BYTES)
    for magic, detected in _SIGNATURES:
        if head.startswith(magic):
            return detected
    extension = PurePath(name).suffix.lower().lstrip(".")
    if head.startswith(_OLE2_MAGIC):
        return _OLE2_BY_EXTENSION.get(extension)
    if head.startswith(_ZIP_MAGIC):
        file.seek(0)
        return _detect_ooxml(file)
    if extension in _TEXT_KINDS:
        charset = _text_charset(head, complete=len(head) < SNIFF_BYTES)
        if charset:
            return DetectedType(extension, f"{_TEXT_KINDS[extension]}; charset={charset}")
    return None


def _detect_ooxml(file: BinaryIO) -> DetectedType | None:
    # Only the archive's directory is read, nothing is decompressed.
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        # .docm/.xlsm/.pptm: macros are a common way into municipal networks, and saved
        # as .docx/.xlsx/.pptx Office would refuse to open them anyway.
        raise _MacroFound
    for folder, detected in _OOXML_BY_FOLDER.items():
        if any(n.startswith(folder) for n in names):
            return detected
    return None


def _text_charset(head: bytes, complete: bool) -> str | None:
    """``utf-8`` or ``Shift_JIS`` when ``head`` reads as text in it, else None."""
    if b"\x00" in head:
        return None
    body = head.removeprefix(_UTF8_BOM)
    if _MARKUP_START.match(body):
        return None
    for codec, charset in (("utf-8", "utf-8"), ("cp932", "Shift_JIS")):
        # Incremental, so a character cut at the 64 KB boundary is not an error.
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            text = decoder.decode(body, final=complete)
        except UnicodeDecodeError:
            continue
        if _CONTROL_CHARACTERS.search(text):
            return None
        return charset
    return None
