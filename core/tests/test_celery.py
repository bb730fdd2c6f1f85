import pytest

from mobilny_asystent.celery import ping

pytestmark = pytest.mark.celery_worker


def test_a_task_makes_a_round_trip_through_redis_and_a_real_worker(celery_worker_process):
    result = ping.delay("dzień dobry")
    assert result.get(timeout=20) == "dzień dobry"
    assert result.backend.__class__.__name__ == "RedisBackend"
