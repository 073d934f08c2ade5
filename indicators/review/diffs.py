"""What a unit changed in its report between the Board's return and its next submission, with
readable labels; None when a submission kept no snapshot to compare."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from campaigns import selectors as campaign_selectors
from campaigns.models import CommunicationKind, Criterion, StepAction, SubmissionStep
from campaigns.queue import snapshot_diff
from indicators.models import Indicator
from units.models import Unit


@dataclass(frozen=True)
class DiffRow:
    section: str
    label: str
    before: Any
    after: Any


SECTION_LABELS = {
    "fields": _("Report"),
    "values": _("Indicators"),
    "models": _("Poverty-reduction models"),
    "scores": _("Self-assessed points"),
    "support": _("Sponsorship support"),
    "communication": _("Communication work"),
    "evidence": _("Evidence"),
}


def report_diff(
    *, steps: list[SubmissionStep], indicators: list[Indicator], criteria: list[Criterion]
) -> list[DiffRow] | None:
    """What the unit changed between the report the Board returned and the one it sent again."""
    returns = [i for i, step in enumerate(steps) if step.action == StepAction.RETURN]
    if not returns:
        return []
    before = [s for s in steps[: returns[-1]] if s.action == StepAction.SUBMIT]
    after = [s for s in steps[returns[-1] + 1 :] if s.action == StepAction.SUBMIT]
    if not before or not after:
        return []
    if not before[-1].snapshot or not after[-1].snapshot:
        return None
    changes = snapshot_diff(before[-1].snapshot, after[-1].snapshot)
    support_codes = [c.key for c in changes if c.section == "support"]
    communes = dict(Unit.objects.filter(code__in=support_codes).values_list("code", "name"))
    names = {
        "values": {i.code: f"{i.code} – {i.name}" for i in indicators},
        "scores": {c.code: str(c) for c in criteria},
        "support": communes,
        "communication": {},
    }
    kinds = dict(CommunicationKind.choices)
    rows = []
    for change in changes:
        label = names.get(change.section, {}).get(change.key, change.key)
        if change.section == "fields":
            label = campaign_selectors.field_label(change.key)
        elif change.section == "communication" and ":" in change.key:
            kind, title = change.key.split(":", 1)
            label = f"{kinds.get(kind, kind)}: {title}"
        elif change.section == "evidence" and ":" in change.key:
            code = change.key.split(":", 1)[0]
            label = names["scores"].get(code, code)
        rows.append(
            DiffRow(
                section=str(SECTION_LABELS.get(change.section, change.section)),
                label=label,
                before=change.before,
                after=change.after,
            )
        )
    return rows
