"""What an evidence file really is, decided by its content, never by its name."""

import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str


PDF = FileKind("application/pdf", ".pdf")
PNG = FileKind("image/png", ".png")
JPEG = FileKind("image/jpeg", ".jpg")
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
ALLOWED_KINDS = (PDF, PNG, JPEG, DOCX, XLSX)

# The main part's content type inside [Content_Types].xml; macro-enabled variants differ.
_OOXML_MAIN = {
    DOCX: ("word/", DOCX.content_type.encode() + b".main"),
    XLSX: ("xl/", XLSX.content_type.encode() + b".main"),
}
_MACRO_MARKERS = (b"macroEnabled", b"vbaProject")
# [Content_Types].xml is small; reading more than this would invite a zip bomb.
_CONTENT_TYPES_MAX_BYTES = 1024 * 1024


def _refuse() -> ValidationError:
    return ValidationError(
        _("Only PDF, JPEG, PNG, DOCX and XLSX files are accepted."), code="file_type"
    )


def sniff(file: IO[bytes]) -> FileKind:
    """The kind of an uploaded file, read from its bytes; anything else is refused."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        kind = _ooxml_kind(file)
        file.seek(0)
        return kind
    raise _refuse()


def _ooxml_kind(file: IO[bytes]) -> FileKind:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                raise _refuse()
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX_BYTES:
                raise _refuse()
            content_types = archive.read(info)
    # zipfile raises NotImplementedError for compression methods it cannot read, RuntimeError
    # for encrypted members: both mean "not a document we accept", not a missing feature here.
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        raise _refuse() from None
    if any(marker in content_types for marker in _MACRO_MARKERS) or any(
        name.lower().endswith("vbaproject.bin") for name in names
    ):
        raise ValidationError(
            _("Files with macros are not accepted; save the document without macros."),
            code="file_macros",
        )
    for kind, (folder, main) in _OOXML_MAIN.items():
        if main in content_types and any(name.startswith(folder) for name in names):
            return kind
    raise _refuse()
