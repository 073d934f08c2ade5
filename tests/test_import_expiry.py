"""Abandoned previews expire after a day and can no longer be confirmed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators import tasks
from indicators.imports import services
from indicators.models import CommuneStatistics, ImportState
from tests.fixtures.import_files import kon_tum_communes, simple_file, template_row, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def previewed_batch(admin_user):
    kon_tum_communes()
    content = simple_file([template_row("23287", "", total_households=500)])
    batch = services.batch_preview(
        batch=services.batch_create(upload=upload(content), year=2019, by=admin_user)
    )
    assert batch.state == ImportState.PREVIEWED
    return batch


def aged(batch, hours: int):
    batch.previewed_at = timezone.now() - timedelta(hours=hours)
    batch.save(update_fields=["previewed_at"])
    return batch


def test_a_preview_25_hours_old_shows_as_expired_in_the_history(
    client, admin_user, previewed_batch
):
    aged(previewed_batch, 25)
    client.force_login(admin_user)

    html = client.get(reverse("indicators:import-upload")).content.decode()

    assert "Đã hết hạn" in html
    assert "Chờ xác nhận" not in html
    previewed_batch.refresh_from_db()
    assert previewed_batch.state == ImportState.EXPIRED
    assert previewed_batch.confirm_token == ""


def test_an_expired_preview_says_so_and_offers_no_confirmation(client, admin_user, previewed_batch):
    aged(previewed_batch, 25)
    client.force_login(admin_user)

    response = client.get(reverse("indicators:import-detail", args=[previewed_batch.pk]))

    assert response.context["batch"].state == ImportState.EXPIRED
    assert response.context["form"] is None
    html = response.content.decode()
    assert 'id="import-expired"' in html
    assert 'id="import-confirm"' not in html


def test_an_expired_preview_cannot_be_confirmed(client, admin_user, previewed_batch):
    token = previewed_batch.confirm_token
    aged(previewed_batch, 25)
    client.force_login(admin_user)

    response = client.post(
        reverse("indicators:import-confirm", args=[previewed_batch.pk]), {"token": token}
    )

    assert response.status_code == 409
    assert "hết hạn" in response.content.decode()
    assert not CommuneStatistics.objects.exists()


def test_the_service_refuses_an_expired_preview_with_its_code(admin_user, previewed_batch):
    token = previewed_batch.confirm_token
    aged(previewed_batch, 25)
    with pytest.raises(services.ValidationError) as excinfo:
        services.batch_confirm(batch=previewed_batch, by=admin_user, token=token)
    assert excinfo.value.code == "expired"


def test_a_preview_less_than_a_day_old_can_still_be_confirmed(admin_user, previewed_batch):
    aged(previewed_batch, 23)
    services.batch_confirm(
        batch=previewed_batch, by=admin_user, token=previewed_batch.confirm_token
    )
    assert CommuneStatistics.objects.get().total_households == 500


def test_the_periodic_task_expires_old_previews_only(admin_user, previewed_batch):
    aged(previewed_batch, 25)

    assert tasks.expire_import_previews() == 1
    assert tasks.expire_import_previews() == 0
    previewed_batch.refresh_from_db()
    assert previewed_batch.state == ImportState.EXPIRED
