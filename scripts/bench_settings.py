"""Settings of the benchmark: the app's own, plus the floor views (bench_urls) and mail kept in memory."""

from mobilny_asystent.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = False
