"""Value-level history: who changed which value, when, and what it was before (docs/history.md).

django-simple-history writes a historical row after every save; `ValueHistory` keeps only real
changes, so the Board's "who changed what" page and the report timelines list changes, not saves.
"""

from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords

# Change reason of a record that holds a row's stored values just before its first recorded
# change: rows written before history existed (or by a bulk write without it) get one, so that
# first change still reads "old → new". It is not a change itself and is never listed.
BASELINE = "baseline"


class ValueHistory(HistoricalRecords):
    """Historical records that skip saves changing no tracked value, with a baseline record
    before the first change of a row that has no history yet."""

    def finalize(self, sender: type[models.Model], **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            models.signals.pre_save.connect(self.pre_save, sender=sender, weak=False)

    def tracked_names(self, instance: models.Model) -> list[str]:
        return [field.attname for field in self.fields_included(instance)]

    def pre_save(self, instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
        if raw or instance._state.adding or instance.pk is None:
            return
        if hasattr(instance, "skip_history_when_saving"):
            return
        names = self.tracked_names(instance)
        # One query per save: the values the latest record holds, to compare after the save.
        history = getattr(instance, self.manager_name)
        before = history.order_by("-history_date", "-history_id").values(*names).first()
        if before is None:
            stored = type(instance)._base_manager.filter(pk=instance.pk).first()
            if stored is None:
                return
            stored._history_user = None  # type: ignore[attr-defined]
            stored._change_reason = BASELINE  # type: ignore[attr-defined]
            self.create_historical_record(stored, "~", using=kwargs.get("using"))
            before = {name: getattr(stored, name) for name in names}
        instance._history_before = before  # type: ignore[attr-defined]

    def post_save(
        self, instance: models.Model, created: bool, using: str | None = None, **kwargs: Any
    ) -> None:
        before = instance.__dict__.pop("_history_before", None)
        if (
            not created
            and before is not None
            and all(before[name] == getattr(instance, name) for name in before)
        ):
            return
        super().post_save(instance, created, using=using, **kwargs)
