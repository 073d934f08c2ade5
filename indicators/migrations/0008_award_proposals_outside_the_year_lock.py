"""Award proposals and their decisions stay outside the year lock (PostgreSQL).

Awards are proposed once the Board has closed a year, and the Council decides on them after the
Board has locked it: the locked-year guard of 0005 would refuse those writes. The trigger comes off
the proposals' table; every other year-bound table keeps it.
"""

from django.db import migrations

FUNCTION = "kontum_refuse_locked_year"
TRIGGER = "kontum_locked_year_guard"

# Table -> the column that leads to its year, as 0005 guarded it (for the reverse).
UNGUARDED = {"campaigns_awardproposal": "period_id"}


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in UNGUARDED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")


def guard_again(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, via in UNGUARDED.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}('{via}')"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0007_commune_ethnic_poor_and_import_expiry"),
    ]

    operations = [migrations.RunPython(unguard, guard_again)]
