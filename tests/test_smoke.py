import pytest

from tests.factories import CriterionScoreFactory

pytestmark = pytest.mark.django_db


def test_a_score_copies_its_criterions_maximum():
    score = CriterionScoreFactory(criterion__max_points=15, self_points=10)
    score.refresh_from_db()
    assert score.max_points == 15
