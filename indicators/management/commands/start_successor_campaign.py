from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from campaigns.services.seed import CAMPAIGN_3198_NUMBER
from indicators import successor
from indicators.management.common import command_error, refuse_unmigrated
from units import access
from units.models import User


def _day(text: str) -> date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CommandError(_("Write the date as dd/mm/yyyy."))


class Command(BaseCommand):
    help = (
        "Start the successor campaign (2021–2025) from a campaign: copy its blocs, members, "
        "criteria, indicators and forms of award, carry its last year's accepted values as "
        "baselines, and leave it read-only. Safe to rerun: a campaign that already has its "
        "successor is left as it is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", default=CAMPAIGN_3198_NUMBER)
        parser.add_argument("--number", required=True)
        parser.add_argument("--title", required=True)
        parser.add_argument("--issued-on", required=True, help="dd/mm/yyyy")
        parser.add_argument("--first-year", type=int, default=2021)
        parser.add_argument("--last-year", type=int, default=2025)
        parser.add_argument("--poverty-standard", default="NĐ 07/2021/NĐ-CP")
        parser.add_argument("--source-document", default="")
        parser.add_argument("--by", required=True, help=_("username of a Board member"))

    def handle(self, *args: object, **options: str) -> None:
        refuse_unmigrated()
        campaign = Campaign.objects.filter(number=options["source"]).first()
        if campaign is None:
            raise CommandError(_("No campaign %(number)s.") % {"number": options["source"]})
        if campaign.successor_id is not None:
            self.stdout.write(
                _("Campaign %(campaign)s already has its successor %(successor)s.")
                % {"campaign": campaign.number, "successor": campaign.successor}
            )
            return
        user = User.objects.filter(username=options["by"], is_active=True).first()
        if user is None or not access.is_board(user):
            raise CommandError(_("%(user)s is not a Board member.") % {"user": options["by"]})
        data = successor.SuccessorInput(
            number=options["number"],
            title=options["title"],
            issued_on=_day(options["issued_on"]),
            first_year=int(options["first_year"]),
            last_year=int(options["last_year"]),
            poverty_standard=options["poverty_standard"],
            source_document=options["source_document"],
        )
        try:
            result = successor.campaign_successor_start(campaign=campaign, data=data, by=user)
        except ValidationError as exc:
            raise command_error(exc) from exc
        self.stdout.write(
            _(
                "Campaign %(number)s started: %(blocs)d blocs, %(members)d members, "
                "%(criteria)d criteria, %(indicators)d indicators, %(baselines)d baselines "
                "(%(reenter)d to enter again under %(standard)s)."
            )
            % {
                "number": result.campaign.number,
                "blocs": result.blocs,
                "members": result.memberships,
                "criteria": result.criteria,
                "indicators": result.indicators,
                "baselines": result.baselines,
                "reenter": result.to_reenter,
                "standard": result.campaign.poverty_standard,
            }
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Campaign %(campaign)s is now read-only.") % {"campaign": campaign.number}
            )
        )
