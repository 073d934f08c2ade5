"""What a unit changed in its yearly report between the Board's return and its next submission.

Each submit step keeps a snapshot of what was sent ({section: {key: text}}); the queue's
"changed since it was returned" flag and the review page's list of changes both compare the
same two snapshots here. Sections other apps own (indicator values, model results) are named
by the caller through `labels`, so this module needs no import from them.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from campaigns.models import CommunicationKind, StepAction, SubmissionStep
from campaigns.selectors import field_label

# The order sections are listed in a diff; sections not named here follow, alphabetically.
SECTION_ORDER = ("fields", "values", "models", "scores", "support", "communication", "evidence")

SECTION_LABELS = {
    "fields": _("Report"),
    "values": _("Indicators"),
    "models": _("Poverty-reduction models"),
    "scores": _("Self-assessed points"),
    "support": _("Sponsorship support"),
    "communication": _("Communication work"),
    "evidence": _("Evidence"),
}


# Snapshots keep numbers as plain digits ("12500", "5200/10000 – comment", "7.50 – Đạt"); the
# diff shows them grouped the active language's way. Only the figures each section writes first
# (see `submission_snapshot` and the indicators' `report_snapshot`) are numbers: the text after
# them (a comment, a title, a narrative naming a year) stays as typed.
_NUMBER = r"\d+(?:\.\d+)?"
NUMBER_LEADS = {
    "values": re.compile(rf"^{_NUMBER}(?:/{_NUMBER})?(?=$| – )", re.ASCII),
    "models": re.compile(rf"^{_NUMBER}(?: – {_NUMBER}){{0,2}}(?=$| – )", re.ASCII),
    "scores": re.compile(rf"^{_NUMBER}(?=$| – )", re.ASCII),
    "support": re.compile(rf"^{_NUMBER} \+ {_NUMBER}(?=$| )", re.ASCII),
    "communication": re.compile(rf"^{_NUMBER}(?=$| )", re.ASCII),
}
NUMBER_FIELDS = {"fund_mobilised_vnd"}
_DIGITS = re.compile(_NUMBER, re.ASCII)


@dataclass(frozen=True)
class Change:
    """One key of a report's snapshot that differs between two submissions (None: absent)."""

    section: str
    key: str
    before: Any
    after: Any


@dataclass(frozen=True)
class DiffRow:
    section: str
    label: str
    before: Any
    after: Any


def _section(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def snapshot_diff(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[Change]:
    """What differs between two submit snapshots, section by section."""
    before = _section(before)
    after = _section(after)
    names = set(before) | set(after)
    ordered = [s for s in SECTION_ORDER if s in names] + sorted(names - set(SECTION_ORDER))
    changes = []
    for name in ordered:
        old, new = _section(before.get(name)), _section(after.get(name))
        # Keys in the order the earlier snapshot had them, then the ones that appeared.
        keys = list(old) + [key for key in new if key not in old]
        for key in keys:
            old_value, new_value = old.get(key), new.get(key)
            if old_value != new_value:
                changes.append(Change(section=name, key=key, before=old_value, after=new_value))
    return changes


def resubmission(steps: list[SubmissionStep]) -> tuple[SubmissionStep, SubmissionStep] | None:
    """The submit step the Board last returned and the latest one sent after it, if both exist.

    `steps` are one report's steps, oldest first."""
    returns = [i for i, step in enumerate(steps) if step.action == StepAction.RETURN]
    if not returns:
        return None
    last_return = returns[-1]
    sent_before = [s for s in steps[:last_return] if s.action == StepAction.SUBMIT]
    sent_after = [s for s in steps[last_return + 1 :] if s.action == StepAction.SUBMIT]
    if not sent_before or not sent_after:
        return None
    return sent_before[-1], sent_after[-1]


def changes_since_return(steps: list[SubmissionStep]) -> list[Change] | None:
    """What changed between the report the Board returned and the one sent again.

    Empty when the report was never returned and sent again; None when one of the two kept no
    snapshot (sent before the portal recorded them): unknown, not unchanged."""
    pair = resubmission(steps)
    if pair is None:
        return []
    before, after = pair
    if not before.snapshot or not after.snapshot:
        return None
    return snapshot_diff(before.snapshot, after.snapshot)


def changed_since_return(steps: list[SubmissionStep]) -> bool:
    """Whether the latest submission after the latest return differs from the one returned."""
    return bool(changes_since_return(steps))


def _grouped(match: re.Match[str]) -> str:
    token = match.group(0)
    number: int | Decimal = Decimal(token).normalize() if "." in token else int(token)
    return formats.number_format(number, use_l10n=True, force_grouping=True)


def readable_value(section: str, key: str, text: Any) -> Any:
    """A snapshot's text with its figures grouped the active language's way (12.500 in
    Vietnamese, 12,500 in English); None (absent) stays None."""
    if not isinstance(text, str):
        return text
    if section == "fields":
        return _DIGITS.sub(_grouped, text) if key in NUMBER_FIELDS and text.isdigit() else text
    pattern = NUMBER_LEADS.get(section)
    lead = pattern.match(text) if pattern is not None else None
    if lead is None:
        return text
    return _DIGITS.sub(_grouped, lead.group(0)) + text[lead.end() :]


def labelled_changes(
    changes: list[Change], *, labels: Mapping[str, Mapping[str, str]]
) -> list[DiffRow]:
    """Changes under the names people read: `labels` maps a section's keys to their names."""
    kinds = dict(CommunicationKind.choices)
    rows = []
    for change in changes:
        label = labels.get(change.section, {}).get(change.key, change.key)
        if change.section == "fields":
            label = field_label(change.key)
        elif change.section == "communication" and ":" in change.key:
            kind, title = change.key.split(":", 1)
            label = f"{kinds.get(kind, kind)}: {title}"
        elif change.section == "evidence" and ":" in change.key:
            code = change.key.split(":", 1)[0]
            label = labels.get("scores", {}).get(code, code)
        rows.append(
            DiffRow(
                section=str(SECTION_LABELS.get(change.section, change.section)),
                label=label,
                before=readable_value(change.section, change.key, change.before),
                after=readable_value(change.section, change.key, change.after),
            )
        )
    return rows
