"""What every paper report shares: the Decree 30 header, the signature block, the document API."""

import datetime
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from reports.documents.signing import TYPE_CODES, Issuer, issuer_for
from reports.pdf import Annex

# Room for the clerk to write the number, the day and the month by hand when the paper is signed.
BLANK = "\u2002" * 5


@dataclass(frozen=True)
class DocHeader:
    """The fixed parts of an administrative document (Decree 30/2020/NĐ-CP, annex I)."""

    kind_title: str  # "BÁO CÁO", "TỜ TRÌNH", "THÔNG BÁO"
    title: str  # the document's metadata title
    subtitle: str
    parent_body: str
    issuing_body: str
    symbol: str  # after "Số:": "…/BC-BTĐKT" with room for the number, or the registered one
    place_date: str
    signer_lines: list[str] = field(default_factory=list)
    signer_name: str = ""
    recipients: list[str] = field(default_factory=list)
    draft: bool = True

    @property
    def signer_title(self) -> str:
        return " / ".join(self.signer_lines)


def place_date(*, on: datetime.date) -> str:
    """ "Kon Tum, ngày 05 tháng 02 năm 2019": days below 10 and months 1 and 2 take a zero."""
    return _("%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": settings.REPORT_PLACE,
        "day": f"{on.day:02d}",
        "month": f"{on.month:02d}" if on.month < 3 else str(on.month),
        "year": on.year,
    }


def place_blank_date(*, year: int) -> str:
    """ "Kon Tum, ngày      tháng      năm 2020": the clerk writes the day it is signed."""
    return _("%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": settings.REPORT_PLACE,
        "day": BLANK,
        "month": BLANK,
        "year": year,
    }


def doc_header(
    *,
    kind_title: str,
    title: str,
    on: datetime.date,
    subtitle: str = "",
    kind: str = "province",
    numbered: bool = True,
    recipients: list[str] | None = None,
    draft: bool = True,
    registered_number: str = "",
    issued_on: datetime.date | None = None,
    issuer: Issuer | None = None,
) -> DocHeader:
    """The header and signer of a document of `kind`, as the Board set the kind up.

    Until the paper is issued, the number, day and month are left blank for the clerk and the year
    is the year of `on`; once issued, the registered number and date are printed.
    `numbered=False` leaves the number out (a list attached to a letter has none of its own).
    """
    issuer = issuer or issuer_for(kind)
    if registered_number and issued_on:
        symbol, dated = registered_number, place_date(on=issued_on)
    else:
        code = TYPE_CODES.get(kind, "BC")
        symbol, dated = f"{BLANK}/{code}-{issuer.issuer_code}", place_blank_date(year=on.year)
    return DocHeader(
        kind_title=kind_title,
        title=title,
        subtitle=subtitle,
        parent_body=issuer.parent_body,
        issuing_body=issuer.issuing_body,
        symbol=symbol if numbered else "",
        place_date=dated,
        signer_lines=issuer.signer_lines,
        signer_name=issuer.signer_name,
        recipients=issuer.recipients or recipients or [],
        draft=draft,
    )


class ReportDocument(Protocol):
    """One kind of report for one set of parameters, built from the database."""

    def filename(self) -> str:
        """The name offered to the browser, e.g. "bao-cao-tinh-2019.pdf"."""
        ...

    def main_html(self) -> str:
        """The whole report but its annex, as one HTML document."""
        ...

    def annex(self) -> Annex | None:
        """The long table rendered in parts, or None."""
        ...
