from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from indicators import services
from indicators.management.common import command_error, refuse_unmigrated, summary_lines


class Command(BaseCommand):
    help = (
        "Load Kon Tum's units and campaign 3198/UBND-TH with its years, blocs, criteria and "
        "indicators. Safe to rerun: rows already right are left untouched."
    )

    def handle(self, *args: object, **options: object) -> None:
        refuse_unmigrated()
        try:
            counts = services.reference_data_seed()
        except ValidationError as exc:
            raise command_error(exc) from exc
        for line in summary_lines(counts):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(_("Campaign 3198/UBND-TH is ready.")))
