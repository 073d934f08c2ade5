"""Who issues and who signs each kind of document: the Board's set-up, or the usual defaults.

The signer block follows Decree 30/2020/NĐ-CP (Article 13 and annex I): "TM." for a collective
body, then "KT." (a deputy), "Q." (acting), "TL." (by order) or "TUQ." (by delegation) before the
head's title, the signer's own title under it, room for the signature and seal, then the name.
"""

from dataclasses import dataclass, field

from django.conf import settings

from reports.models import SIGNS_UNDER_HEAD, DocumentSetup, ReportKind, Signing

PREFIXES = {
    Signing.HEAD: "",
    Signing.DEPUTY: "KT.",
    Signing.ACTING: "Q.",
    Signing.ON_ORDER: "TL.",
    Signing.DELEGATED: "TUQ.",
}

# The document type of each kind (Decree 30, annex III): none is invented.
TYPE_CODES: dict[str, str] = {
    ReportKind.PROVINCE: "BC",
    ReportKind.INTERIM: "BC",
    ReportKind.FINAL: "BC",
    ReportKind.AWARDS: "TTr",
    ReportKind.UNIT_SHEET: "TB",
}


@dataclass(frozen=True)
class Issuer:
    """The issuing body and its signer for one kind of document."""

    parent_body: str
    issuing_body: str
    issuer_code: str
    collective: str = ""
    head_title: str = "TRƯỞNG BAN"
    signing: str = Signing.HEAD
    signer_title: str = ""
    signer_name: str = ""
    recipients: list[str] = field(default_factory=list)

    @property
    def signer_lines(self) -> list[str]:
        """The block's title lines: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"."""
        lines = [f"TM. {self.collective}"] if self.collective else []
        prefix = PREFIXES.get(Signing(self.signing), "")
        lines.append(f"{prefix} {self.head_title}".strip())
        if self.signing in SIGNS_UNDER_HEAD and self.signer_title:
            lines.append(self.signer_title)
        return lines


def board_issuer() -> Issuer:
    """The Emulation and Commendation Board, its head signing."""
    return Issuer(
        parent_body=settings.REPORT_PARENT_BODY,
        issuing_body=settings.REPORT_ISSUING_BODY,
        issuer_code=settings.REPORT_ISSUER_CODE,
    )


def province_committee_issuer() -> Issuer:
    """The Provincial People's Committee, a vice-chairman signing for the collective body."""
    return Issuer(
        parent_body="",
        # Two lines, as the committee's header is written: "ỦY BAN NHÂN DÂN" / "TỈNH KON TUM".
        issuing_body=f"ỦY BAN NHÂN DÂN\nTỈNH {settings.REPORT_PLACE.upper()}",
        issuer_code="UBND",
        collective="ỦY BAN NHÂN DÂN",
        head_title="CHỦ TỊCH",
        signing=Signing.DEPUTY,
        signer_title="PHÓ CHỦ TỊCH",
    )


def default_issuer(kind: str) -> Issuer:
    """Before the Board sets a kind up: the review reports are drafted for the committee to sign."""
    if kind in (ReportKind.INTERIM, ReportKind.FINAL):
        return province_committee_issuer()
    return board_issuer()


def issuer_from(setup: DocumentSetup) -> Issuer:
    return Issuer(
        parent_body=setup.parent_body,
        issuing_body=setup.issuing_body,
        issuer_code=setup.issuer_code,
        collective=setup.collective,
        head_title=setup.head_title,
        signing=setup.signing,
        signer_title=setup.signer_title,
        signer_name=setup.signer_name,
        recipients=[line.strip() for line in setup.recipients.splitlines() if line.strip()],
    )


def issuer_for(kind: str) -> Issuer:
    """The issuer and signer of `kind`: the Board's set-up, else the default."""
    setup = DocumentSetup.objects.filter(kind=kind).first()
    return issuer_from(setup) if setup is not None else default_issuer(kind)
