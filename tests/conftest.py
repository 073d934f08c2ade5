"""Personas, one per role: unit_officer, board_staff, leader, admin_user, outsider."""

import pytest

from tests.factories import DistrictFactory, UserFactory


@pytest.fixture
def unit_officer(db):
    return UserFactory(
        username="officer-test", unit=DistrictFactory(code="610", name="Huyện Đắk Glei")
    )


@pytest.fixture
def outsider(db):
    """An officer of another unit."""
    return UserFactory(
        username="officer-other", unit=DistrictFactory(code="611", name="Huyện Ngọc Hồi")
    )


@pytest.fixture
def board_staff(db):
    return UserFactory(username="board-test", board=True)


@pytest.fixture
def leader(db):
    return UserFactory(username="leader-test", leader=True)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin-test", admin=True)
