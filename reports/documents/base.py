"""What every paper report shares: the Decree 30 header, the signature block, the document API."""

import datetime
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from reports.pdf import Annex


@dataclass(frozen=True)
class DocHeader:
    """The fixed parts of an administrative document (Decree 30/2020/NĐ-CP, annex I)."""

    kind_title: str  # "BÁO CÁO", "PHIẾU ĐÁNH GIÁ", "DANH SÁCH"
    title: str  # the document's metadata title
    subtitle: str
    parent_body: str
    issuing_body: str
    symbol: str
    place_date: str
    signer_title: str
    recipients: list[str] = field(default_factory=list)


def place_date(*, on: datetime.date) -> str:
    """ "Kon Tum, ngày 05 tháng 02 năm 2019": days below 10 and months 1 and 2 take a zero."""
    return _("%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": settings.REPORT_PLACE,
        "day": f"{on.day:02d}",
        "month": f"{on.month:02d}" if on.month < 3 else str(on.month),
        "year": on.year,
    }


def doc_header(
    *,
    kind_title: str,
    title: str,
    on: datetime.date,
    subtitle: str = "",
    type_code: str | None = "BC",
    recipients: list[str] | None = None,
    signer_title: str | None = None,
) -> DocHeader:
    """The header of a report issued by the Board; the number is left blank for the clerk.

    `type_code=None` leaves the number out: a list attached to a proposal letter has none.
    """
    return DocHeader(
        kind_title=kind_title,
        title=title,
        subtitle=subtitle,
        parent_body=settings.REPORT_PARENT_BODY,
        issuing_body=settings.REPORT_ISSUING_BODY,
        # Number and symbol: "Số:      /BC-BTĐKT"; the number is given when the paper is signed.
        symbol=(
            f"\u2002\u2002\u2002\u2002\u2002/{type_code}-{settings.REPORT_ISSUER_CODE}"
            if type_code
            else ""
        ),
        place_date=place_date(on=on),
        signer_title=signer_title or _("Head of the Board"),
        recipients=recipients or [],
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
