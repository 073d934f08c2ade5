"""A locked year refuses every write in the database itself (PostgreSQL).

Forms, imports and the admin check the lock first and explain it; this trigger is the backstop for
whatever they miss (a shell, a script, a future code path). Every row of a year-bound table is
checked before it is inserted, updated or deleted: its old row and its new row must both belong to
a year that is not locked, so nothing is edited in, deleted from, or moved into a locked year.

The refusal is a check_violation naming the constraint "kontum_locked_year", which Django raises as
IntegrityError like any other constraint. The reporting period row itself and its events are not
guarded: unlocking a year (with a reason) must stay possible.

The trigger takes a share lock on the period rows it reads, so a year cannot be locked while a
write into it is still in flight, nor a write slip in while the lock is being committed. Services
that change a period and its rows in one transaction should lock the period first.

SQLite (the laptop demo) has no plpgsql; services and the admin refuse the writes there.
"""

from django.db import migrations

FUNCTION = "kontum_refuse_locked_year"
TRIGGER = "kontum_locked_year_guard"

# Table -> the column that leads to its year (the trigger's one argument).
GUARDED = {
    "campaigns_submission": "period_id",
    "campaigns_registration": "period_id",
    "campaigns_awardproposal": "period_id",
    "campaigns_deadlineextension": "period_id",
    "campaigns_submissionstep": "submission_id",
    "campaigns_evidence": "submission_id",
    "campaigns_criterionscore": "submission_id",
    "campaigns_sponsorshipsupport": "submission_id",
    "campaigns_communicationitem": "submission_id",
    "indicators_reportedvalue": "submission_id",
    "indicators_registeredtarget": "registration_id",
    # Calendar-year figures: locked when any campaign's period of that year is locked.
    "indicators_communestatistics": "year",
    "indicators_modelresult": "year",
}

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION kontum_refuse_locked_year() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    via text := TG_ARGV[0];
    checked jsonb[] := ARRAY[]::jsonb[];
    r jsonb;
    ref bigint;
    period_ids bigint[];
    locked_year integer;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        checked := checked || to_jsonb(OLD);
    END IF;
    -- An update that keeps the row in its year needs one check, not two.
    IF TG_OP = 'INSERT'
       OR (TG_OP = 'UPDATE' AND to_jsonb(NEW) -> via IS DISTINCT FROM to_jsonb(OLD) -> via) THEN
        checked := checked || to_jsonb(NEW);
    END IF;

    FOREACH r IN ARRAY checked LOOP
        ref := (r ->> via)::bigint;
        CASE via
            WHEN 'period_id' THEN
                period_ids := ARRAY[ref];
            WHEN 'submission_id' THEN
                SELECT array_agg(s.period_id) INTO period_ids
                FROM campaigns_submission s WHERE s.id = ref;
            WHEN 'registration_id' THEN
                SELECT array_agg(g.period_id) INTO period_ids
                FROM campaigns_registration g WHERE g.id = ref;
            WHEN 'year' THEN
                SELECT array_agg(p.id) INTO period_ids
                FROM campaigns_reportingperiod p WHERE p.year = ref;
            ELSE
                RAISE EXCEPTION 'kontum_refuse_locked_year: unknown argument %', via;
        END CASE;
        CONTINUE WHEN period_ids IS NULL;  -- no year (a parent already gone in a cascade)

        -- Wait for a lock (or unlock) in flight, then read the state it committed.
        PERFORM 1 FROM campaigns_reportingperiod p
        WHERE p.id = ANY (period_ids) ORDER BY p.id FOR SHARE;
        SELECT p.year INTO locked_year FROM campaigns_reportingperiod p
        WHERE p.id = ANY (period_ids) AND p.state = 'locked' LIMIT 1;

        IF locked_year IS NOT NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'check_violation',
                CONSTRAINT = 'kontum_locked_year',
                SCHEMA = TG_TABLE_SCHEMA,
                TABLE = TG_TABLE_NAME,
                MESSAGE = format(
                    '%s: the year %s is locked, nothing in it can change',
                    TG_TABLE_NAME, locked_year
                ),
                HINT = 'An admin must unlock the year, giving a reason, before it can change.';
        END IF;
    END LOOP;

    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$
"""


def create_guard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the function's own % placeholders must reach PostgreSQL untouched.
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table, via in GUARDED.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}('{via}')"
        )


def drop_guard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in GUARDED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0004_constraint_codes_and_guards"),
        ("campaigns", "0004_constraint_codes_and_guards"),
    ]

    operations = [migrations.RunPython(create_guard, drop_guard)]
