"""Checks an upload must pass before any XML in it is parsed."""

import re
import zipfile
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from indicators.imports.problems import refusal

# A real 20,000-row statistics workbook unpacks to about 15 MB; ten times that is no workbook.
MAX_UNCOMPRESSED_BYTES = 150 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
# openpyxl loads the shared-strings table whole into a list before any row is read: a few
# hundred kilobytes of "<si><t>x</t></si>" repeated unpack to 136 MB and take 900 MB and minutes
# to load. The texts of a real 20,000-row file (names, notes, numbers typed as text) take a few MB.
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
MAX_ROWS = 20_000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_SHARED_STRINGS_TYPE = b"spreadsheetml.sharedStrings+xml"
_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b[^>]*>")
_PART_NAME = re.compile(rb'PartName\s*=\s*["\']([^"\']+)["\']')


@checks.register(checks.Tags.security)
def check_defusedxml(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Start-up check: uploaded workbooks must never reach an XML parser that expands entities."""
    if openpyxl.DEFUSEDXML:
        return []
    return [
        checks.Error(
            "openpyxl is not using defusedxml: uploaded workbooks could carry XML entity bombs.",
            hint="Install defusedxml (requirements.txt) and leave OPENPYXL_DEFUSEDXML unset.",
            id="indicators.E001",
        )
    ]


def ensure_defusedxml() -> None:
    """Refuse to read workbooks when openpyxl would parse XML without entity protection."""
    if not openpyxl.DEFUSEDXML:
        raise ImproperlyConfigured(
            "defusedxml must be installed (and OPENPYXL_DEFUSEDXML not disabled) to read "
            "uploaded workbooks."
        )


def check_upload(stream: IO[bytes], *, size: int) -> None:
    """Raise a refusal unless the stream is a plain, reasonably sized .xlsx workbook."""
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise refusal("too_large", limit_mb=limit // (1024 * 1024))
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(_OLE_MAGIC):
        # Excel wraps a password-protected .xlsx in the same container as an old .xls.
        body = stream.read()
        stream.seek(0)
        if "EncryptedPackage".encode("utf-16-le") in body:
            raise refusal("encrypted")
        raise refusal("old_xls")
    if not head.startswith(_ZIP_MAGIC):
        raise refusal("not_xlsx")
    try:
        with zipfile.ZipFile(stream) as archive:
            _check_archive(archive)
    except zipfile.BadZipFile:
        raise refusal("not_xlsx") from None
    finally:
        stream.seek(0)


def _check_archive(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    # Declared sizes are what zipfile enforces while inflating, so summing them is enough.
    unpacked = sum(info.file_size for info in infos)
    if len(infos) > MAX_ZIP_ENTRIES or unpacked > MAX_UNCOMPRESSED_BYTES:
        raise refusal("zip_bomb", limit_mb=MAX_UNCOMPRESSED_BYTES // (1024 * 1024))
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names:
        raise refusal("not_xlsx")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise refusal("macros")
    content_types = archive.read("[Content_Types].xml")
    if b"macroEnabled" in content_types:
        raise refusal("macros")
    if _XLSX_MAIN not in content_types:
        raise refusal("not_xlsx")
    texts = _shared_strings_parts(content_types) | {
        name for name in names if "sharedstrings" in name.lower()
    }
    if sum(info.file_size for info in infos if info.filename in texts) > MAX_SHARED_STRINGS_BYTES:
        raise refusal("too_much_text", limit_mb=MAX_SHARED_STRINGS_BYTES // (1024 * 1024))


def _shared_strings_parts(content_types: bytes) -> set[str]:
    """Archive names the manifest declares as shared-strings tables, whatever they are called."""
    parts = set()
    for override in _OVERRIDE.findall(content_types):
        if _SHARED_STRINGS_TYPE in override:
            name = _PART_NAME.search(override)
            if name:
                parts.add(name.group(1).decode("utf-8", "replace").lstrip("/"))
    return parts
