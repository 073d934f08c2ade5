"""What the seed and demo commands share: the migration check, error wording and the summary."""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from units.services import Counts


def refuse_unmigrated() -> None:
    """Stop with a clear message instead of a database error about a missing table."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError(
            _('The database is not up to date: run "manage.py migrate" first, then try again.')
        )


def command_error(exc: ValidationError) -> CommandError:
    """A service's refusal, worded for the person at the terminal; nothing was saved."""
    return CommandError(_("%(reason)s Nothing was changed.") % {"reason": " ".join(exc.messages)})


def summary_lines(counts: Counts) -> list[str]:
    lines = []
    for label, done in counts.items():
        model = apps.get_model(label)
        lines.append(
            _("%(things)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "things": capfirst(model._meta.verbose_name_plural),
                "created": done.get("created", 0),
                "updated": done.get("updated", 0),
                "unchanged": done.get("unchanged", 0),
            }
        )
    return lines
