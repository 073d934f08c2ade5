"""Keep each score's copy of max_points equal to its criterion's maximum (PostgreSQL).

A composite foreign key (criterion_id, max_points) -> criterion (id, max_points) with ON UPDATE
CASCADE: a score can only carry its criterion's real maximum, and lowering a maximum below points
already given fails on the scores' check constraints instead of leaving them above it.
SQLite (the laptop demo) has no ALTER TABLE ADD CONSTRAINT; services keep the copy there.
"""

from django.db import migrations

ADD = """
ALTER TABLE campaigns_criterionscore
    ADD CONSTRAINT campaigns_score_max_points_follow_criterion
    FOREIGN KEY (criterion_id, max_points)
    REFERENCES campaigns_criterion (id, max_points)
    ON UPDATE CASCADE
"""
DROP = """
ALTER TABLE campaigns_criterionscore
    DROP CONSTRAINT IF EXISTS campaigns_score_max_points_follow_criterion
"""


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_initial")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
