"""Uploads are judged by content, stored under generated names and served as downloads."""

import io
import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.http import Http404
from django.test import override_settings
from openpyxl import Workbook

from kyoso.core.uploads import attachment_response, check_upload, store_and_record, store_upload

MB = 1024 * 1024


# --- real small files, built here -------------------------------------------------------


def pdf_bytes() -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (4, xref))
    return out.getvalue()


def png_bytes() -> bytes:
    """A 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def gif_bytes() -> bytes:
    """A 1×1 GIF: header, screen descriptor, two-colour table, one image, trailer."""
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0)
        + b"\x00\x00\x00\xff\xff\xff"
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, 1, 1, 0)
        + b"\x02\x02\x44\x01\x00"
        + b"\x3b"
    )


def jpeg_bytes() -> bytes:
    """The start of a JFIF file (SOI and APP0) and its end marker."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["団体コード", "団体名"])
    sheet.append(["302015", "和歌山市"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ooxml_bytes(folder: str, extra: tuple[str, ...] = ()) -> bytes:
    """An Office Open XML package with its main part under ``folder``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(f"{folder}/main.xml", '<?xml version="1.0"?><main/>')
        for name in extra:
            archive.writestr(name, b"\x00\x01")
    return out.getvalue()


def plain_zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/readme.txt", "Office の部品名だけ真似た ZIP")
    return out.getvalue()


def ole2_bytes() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 50 + b"PE\x00\x00"


CSV_TEXT = "団体コード,団体名,担当課\n302015,和歌山市,デジタル改革推進課\n302023,海南市,総務課\n"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def error_of(uploaded) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_upload(uploaded)
    return caught.value


@pytest.fixture
def media_root():
    with tempfile.TemporaryDirectory() as folder, override_settings(MEDIA_ROOT=folder):
        yield Path(folder)


# --- check_upload -----------------------------------------------------------------------

ACCEPTED = [
    ("報告書.pdf", pdf_bytes(), "pdf", "application/pdf"),
    ("写真.png", png_bytes(), "png", "image/png"),
    ("写真.jpeg", jpeg_bytes(), "jpg", "image/jpeg"),
    ("図.gif", gif_bytes(), "gif", "image/gif"),
    (
        "回答.xlsx",
        xlsx_bytes(),
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "議事録.docx",
        ooxml_bytes("word"),
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "説明資料.pptx",
        ooxml_bytes("ppt"),
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("旧様式.doc", ole2_bytes(), "doc", "application/msword"),
    ("集計.XLS", ole2_bytes(), "xls", "application/vnd.ms-excel"),
    ("発表.ppt", ole2_bytes(), "ppt", "application/vnd.ms-powerpoint"),
    ("回答_sjis.csv", CSV_TEXT.encode("cp932"), "csv", "text/csv; charset=Shift_JIS"),
    ("回答_utf8.csv", CSV_TEXT.encode("utf-8"), "csv", "text/csv; charset=utf-8"),
    ("回答_bom.csv", CSV_TEXT.encode("utf-8-sig"), "csv", "text/csv; charset=utf-8"),
    ("メモ.txt", "メモ\t本文\r\n".encode("cp932"), "txt", "text/plain; charset=Shift_JIS"),
]


@pytest.mark.parametrize(
    ("name", "content", "extension", "content_type"), ACCEPTED, ids=[row[0] for row in ACCEPTED]
)
def test_accepted_types_are_detected_from_content(name, content, extension, content_type):
    detected = check_upload(upload(name, content))
    assert (detected.extension, detected.content_type) == (extension, content_type)


def test_content_decides_the_type_whatever_the_name_says():
    detected = check_upload(upload("スキャン.pdf", png_bytes()))
    assert detected.extension == "png"


REFUSED = [
    ("exe_named_pdf", "報告.pdf", exe_bytes()),
    ("exe", "報告.exe", exe_bytes()),
    ("html_named_pdf", "報告.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("html_named_csv", "回答.csv", b"<html><body onload=alert(1)>x</body></html>"),
    ("html_with_bom_and_space", "回答.csv", b"\xef\xbb\xbf\r\n  <script>alert(1)</script>"),
    ("svg", "図.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'),
    ("svg_named_png", "図.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
    ("svg_named_txt", "図.txt", b"<!-- drawn --><svg/>"),
    ("text_named_pdf", "報告.pdf", "ただの文章です。".encode()),
    ("csv_with_nul", "回答.csv", b"a,b\n1,\x00\n"),
    ("csv_with_control_characters", "回答.csv", b"a,b\n\x01\x02\x03,\x04\n"),
    ("undecodable_text", "回答.csv", b"a,b\n\x81\x20\xff\xfe\n"),
    ("zip_without_office_parts", "資料.docx", ooxml_bytes("other")),
    ("plain_zip", "資料.zip", plain_zip_bytes()),
    ("broken_zip", "資料.docx", b"PK\x03\x04" + b"\x00" * 100),
    ("ole2_named_msi", "setup.msi", ole2_bytes()),
    ("ole2_named_pdf", "報告.pdf", ole2_bytes()),
]


@pytest.mark.parametrize(("case", "name", "content"), REFUSED, ids=[row[0] for row in REFUSED])
def test_other_content_is_refused_naming_the_file(case, name, content):
    error = error_of(upload(name, content))
    assert error.code == "type"
    assert error.messages == [
        f"ファイル「{name}」は受け付けられない種類です。"
        "PDF、Word・Excel・PowerPoint、画像（PNG・JPEG・GIF）、CSV を添付してください。"
    ]


@pytest.mark.parametrize("folder", ["xl", "word", "ppt"])
def test_macro_enabled_office_files_are_refused(folder):
    content = ooxml_bytes(folder, extra=(f"{folder}/vbaProject.bin",))
    error = error_of(upload("集計.xlsm", content))
    assert error.code == "macro"
    assert "「集計.xlsm」" in error.messages[0]


def test_empty_file_is_refused():
    error = error_of(upload("空.pdf", b""))
    assert error.code == "empty"
    assert error.messages == ["ファイル「空.pdf」は空です。中身のあるファイルを添付してください。"]


@override_settings(KYOSO_UPLOAD_MAX_BYTES=1 * MB)
def test_file_over_the_limit_is_refused_with_both_sizes():
    error = error_of(upload("大きな報告.pdf", pdf_bytes() + b"0" * (MB + MB // 2)))
    assert error.code == "too_large"
    assert error.messages == ["ファイル「大きな報告.pdf」は 1.6 MB です。1 MB 以下にしてください。"]


@override_settings(KYOSO_UPLOAD_MAX_BYTES=1 * MB)
def test_a_file_just_over_the_limit_does_not_read_as_within_it():
    error = error_of(upload("報告.pdf", b"%PDF-" + b"0" * MB))
    assert "は 1.1 MB です。1 MB 以下" in error.messages[0]


@override_settings(KYOSO_UPLOAD_MAX_BYTES=1 * MB)
def test_file_exactly_at_the_limit_is_accepted():
    content = b"%PDF-" + b"0" * (MB - 5)
    assert check_upload(upload("報告.pdf", content)).extension == "pdf"


def test_default_limit_is_twenty_megabytes(settings):
    assert settings.KYOSO_UPLOAD_MAX_BYTES == 20 * MB


def test_utf8_character_cut_at_the_sniffing_boundary_is_still_utf8():
    # 64 KiB is not a multiple of 3, so the first 64 KiB end inside a kana.
    content = ("団体名,メモ\n" + "あ" * 30_000).encode("utf-8")
    assert check_upload(upload("長い.csv", content)).content_type == "text/csv; charset=utf-8"


def test_refused_name_loses_folders_from_the_browser():
    error = error_of(upload("C:\\Users\\tanaka\\Desktop\\報告.exe", exe_bytes()))
    assert "「報告.exe」" in error.messages[0]
    assert "Users" not in error.messages[0]


def test_check_leaves_the_file_at_its_start():
    uploaded = upload("回答.xlsx", xlsx_bytes())
    check_upload(uploaded)
    assert uploaded.read(2) == b"PK"


def test_temporary_uploaded_files_are_checked_too():
    # Files over FILE_UPLOAD_MAX_MEMORY_SIZE arrive on disk rather than in memory.
    content = xlsx_bytes()
    uploaded = TemporaryUploadedFile("回答.xlsx", "application/octet-stream", len(content), None)
    try:
        uploaded.write(content)
        uploaded.seek(0)
        assert check_upload(uploaded).extension == "xlsx"
    finally:
        uploaded.close()


# --- store_upload -----------------------------------------------------------------------


def test_stored_under_a_generated_name_with_the_detected_extension(media_root):
    content = pdf_bytes()
    stored = store_upload(upload("令和6年度 議事録.pdf", content), "consultations")
    assert re.fullmatch(r"consultations/\d{4}/[0-9a-f]{32}\.pdf", stored.name)
    assert (media_root / stored.name).read_bytes() == content
    assert stored.original_name == "令和6年度 議事録.pdf"
    assert stored.size == len(content)
    assert stored.content_type == "application/pdf"


def test_stored_extension_follows_the_content_not_the_name(media_root):
    stored = store_upload(upload("写真.pdf", png_bytes()), "knowledge")
    assert stored.name.endswith(".png")
    assert stored.content_type == "image/png"
    assert stored.original_name == "写真.pdf"


def test_two_uploads_with_the_same_name_get_different_files(media_root):
    first = store_upload(upload("報告.pdf", pdf_bytes()), "consultations")
    second = store_upload(upload("報告.pdf", pdf_bytes()), "consultations")
    assert first.name != second.name


def test_original_name_drops_folders_and_is_composed_like_windows_names(media_root):
    decomposed = unicodedata.normalize("NFD", "データ連携ガイドライン.pdf")
    stored = store_upload(upload(f"..\\共有\\{decomposed}", pdf_bytes()), "knowledge")
    assert stored.original_name == "データ連携ガイドライン.pdf"


def test_refused_file_is_not_stored(media_root):
    with pytest.raises(ValidationError):
        store_upload(upload("報告.pdf", exe_bytes()), "consultations")
    assert list(media_root.rglob("*")) == []


def test_cp932_csv_is_stored_byte_for_byte(media_root):
    content = CSV_TEXT.encode("cp932")
    stored = store_upload(upload("回答.csv", content), "consultations")
    assert (media_root / stored.name).read_bytes() == content
    assert stored.content_type == "text/csv; charset=Shift_JIS"


# --- attachment_response ----------------------------------------------------------------


def download(stored) -> tuple[dict[str, str], bytes]:
    response = attachment_response(stored.name, stored.original_name, stored.content_type)
    try:
        return dict(response.items()), b"".join(response.streaming_content)
    finally:
        # Only the file: response.close() sends request_finished, which touches the
        # database connections this test has no access to.
        response.file_to_stream.close()


def test_download_carries_the_japanese_name_and_an_ascii_fallback(media_root):
    content = xlsx_bytes()
    stored = store_upload(upload("令和6年度 回答 v2.xlsx", content), "consultations")
    headers, body = download(stored)
    assert body == content
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"6_v2.xlsx\"; filename*=UTF-8''"
        "%E4%BB%A4%E5%92%8C6%E5%B9%B4%E5%BA%A6%20%E5%9B%9E%E7%AD%94%20v2.xlsx"
    )
    assert headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Length"] == str(len(content))


def test_download_of_an_all_japanese_name_falls_back_to_a_neutral_ascii_name(media_root):
    stored = store_upload(upload("議事録.pdf", pdf_bytes()), "consultations")
    headers, _ = download(stored)
    assert headers["Content-Disposition"].startswith('attachment; filename="download.pdf"; ')
    assert headers["Content-Disposition"].endswith(
        "filename*=UTF-8''%E8%AD%B0%E4%BA%8B%E9%8C%B2.pdf"
    )


def test_quotes_and_line_breaks_in_a_name_cannot_break_the_header(media_root):
    stored = store_upload(upload('a"b.pdf', pdf_bytes()), "consultations")
    response = attachment_response(stored.name, 'a";\r\nSet-Cookie: x=1.pdf', "application/pdf")
    response.file_to_stream.close()
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2
    assert "Set-Cookie" not in dict(response.items())


def test_download_is_sandboxed_should_a_browser_render_it(media_root):
    stored = store_upload(upload("写真.png", png_bytes()), "consultations")
    headers, _ = download(stored)
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert headers["Content-Type"] == "image/png"


def test_missing_stored_file_is_404(media_root):
    with pytest.raises(Http404):
        attachment_response(
            "consultations/2024/" + "0" * 32 + ".pdf", "報告.pdf", "application/pdf"
        )


@pytest.mark.django_db
def test_a_failed_record_leaves_no_stored_file(media_root):
    def record(stored):
        assert (Path(media_root) / stored.name).exists()
        raise RuntimeError("the row could not be saved")

    with pytest.raises(RuntimeError):
        store_and_record(SimpleUploadedFile("手順.pdf", pdf_bytes()), "tests", record)
    assert not [p for p in Path(media_root).rglob("*") if p.is_file()]
    stored = store_and_record(SimpleUploadedFile("手順.pdf", pdf_bytes()), "tests", lambda s: s)
    assert (Path(media_root) / stored.name).exists()
