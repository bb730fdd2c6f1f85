import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobilny_asystent.settings")

app = Celery("mobilny_asystent")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="core.ping")
def ping(value: str = "pong") -> str:
    """A no-op round trip used by the health check and the test suite."""
    return value
