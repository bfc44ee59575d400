import pytest

from tests.reporting.dataset import NOW, build_week


@pytest.fixture
def week(db, time_machine):
    time_machine.move_to(NOW, tick=False)
    return build_week()
