from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from indicators.management.common import command_error, refuse_unmigrated, summary_lines
from kontum_poverty import demo


class Command(BaseCommand):
    help = (
        "Load made-up demo data (logins, commune figures, models, reports of 2018 and 2019). "
        "Runs seed_campaign first when the campaign is missing. Safe to rerun."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo even though DEBUG is off (never on a production database).",
        )

    def handle(self, *args: object, force: bool = False, **options: object) -> None:
        # Demo logins share a published password: only a laptop or a throwaway server gets them.
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "DEBUG is off, so this looks like a real installation: the demo data and its "
                    "public logins were not loaded. Use --force only on a throwaway database."
                )
            )
        refuse_unmigrated()
        try:
            counts = demo.demo_load()
        except ValidationError as exc:
            raise command_error(exc) from exc
        for line in summary_lines(counts):
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                _('Demo data is ready. Demo logins use the password "%(password)s".')
                % {"password": demo.DEMO_PASSWORD}
            )
        )
