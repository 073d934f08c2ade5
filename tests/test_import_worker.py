"""A large import travels through the real Redis to a real Celery worker and back."""

import time

from django.urls import reverse

from indicators.imports import services
from indicators.models import CommuneStatistics, ImportBatch, ImportState
from tests.factories import UserFactory
from tests.fixtures.import_files import kon_tum_communes, simple_file, template_row, upload


def _wait_for(batch: ImportBatch, state: str, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.state == state:
            return
        time.sleep(0.2)
    raise AssertionError(f"the import stayed {batch.state!r}, expected {state!r}")


def test_a_worker_previews_and_applies_a_large_import(client, celery_worker, monkeypatch):
    monkeypatch.setattr(services, "ASYNC_MIN_BYTES", 1)  # every file counts as large
    kon_tum_communes()
    client.force_login(UserFactory(username="admin-worker", admin=True))
    content = simple_file([template_row("23287", "", total_households=640, poor_households=85)])

    response = client.post(
        reverse("indicators:import-upload"), {"year": 2019, "file": upload(content)}
    )

    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    _wait_for(batch, ImportState.PREVIEWED)
    assert batch.new_count == 1
    assert not CommuneStatistics.objects.exists()  # a preview writes nothing

    client.post(
        reverse("indicators:import-confirm", args=[batch.pk]), {"token": batch.confirm_token}
    )

    _wait_for(batch, ImportState.APPLIED)
    figures = CommuneStatistics.objects.get(commune__code="23287", year=2019)
    assert (figures.total_households, figures.poor_households) == (640, 85)
