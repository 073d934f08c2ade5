"""Every campaign gets its default forms of award, and every proposal its nominee and form.

A proposal so far named a unit: it now names the unit's collective, called as the territory's
people and officials ("Nhân dân và cán bộ huyện X", not "UBND huyện X") or as the agency.
"""

from django.db import migrations

# Copies of campaigns.services.register at the time of writing: a migration must not change
# when the code does.
TERRITORY_KINDS = {"province", "city", "district", "commune", "ward", "township"}
FORMS = (
    # kind, name, level, authority, stage, board proposes, order
    ("flag", "Cờ thi đua của Ủy ban nhân dân tỉnh", "province", "Ủy ban nhân dân tỉnh", "year", True, 1),
    (
        "certificate",
        "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
        "province",
        "Chủ tịch Ủy ban nhân dân tỉnh",
        "year",
        True,
        2,
    ),
    (
        "pm_certificate",
        "Bằng khen của Thủ tướng Chính phủ",
        "state",
        "Thủ tướng Chính phủ",
        "final",
        True,
        3,
    ),
    (
        "commendation",
        "Giấy khen",
        "local",
        "Chủ tịch UBND huyện, thành phố hoặc Thủ trưởng sở, ban, ngành",
        "year",
        False,
        4,
    ),
)


def collective_name(unit):
    if unit.kind in TERRITORY_KINDS:
        return f"Nhân dân và cán bộ {unit.name[:1].lower()}{unit.name[1:]}"
    return unit.name


def fill(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    AwardForm = apps.get_model("campaigns", "AwardForm")
    AwardProposal = apps.get_model("campaigns", "AwardProposal")
    Nominee = apps.get_model("campaigns", "Nominee")
    for campaign in Campaign.objects.all():
        if campaign.number == "3198/UBND-TH" and not campaign.poverty_standard:
            campaign.poverty_standard = "QĐ 59/2015/QĐ-TTg"
            campaign.save(update_fields=["poverty_standard"])
        for kind, name, level, authority, stage, proposes, order in FORMS:
            AwardForm.objects.get_or_create(
                campaign=campaign,
                kind=kind,
                stage=stage,
                defaults={
                    "name": name,
                    "level": level,
                    "authority": authority,
                    "board_proposes": proposes,
                    "order": order,
                },
            )
    for proposal in AwardProposal.objects.select_related("unit", "period"):
        nominee, _created = Nominee.objects.get_or_create(
            kind="collective",
            unit=proposal.unit,
            defaults={"name": collective_name(proposal.unit)},
        )
        proposal.nominee = nominee
        proposal.form = AwardForm.objects.get(
            campaign_id=proposal.period.campaign_id, kind=proposal.award, stage="year"
        )
        proposal.save(update_fields=["nominee", "form"])


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0009_award_forms_nominees_and_register"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
