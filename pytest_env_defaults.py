"""Environment defaults for the test suite, loaded as a pytest plugin before Django's settings.

The suite runs against the real PostgreSQL and Redis (see README); each value can be
overridden from the shell, e.g. ``DATABASE_URL=postgres://... make test``.
"""

import os

DEFAULTS = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/mobilny_asystent",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SECRET_KEY": "test-secret-key-not-for-production-0123456789-abcdefghij",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "EMAIL_URL": "memorymail://",
    "DEMO_PASSWORD": "demo-haslo-123",
    # Tasks go through the real broker unless a test asks for eager mode.
    "CELERY_TASK_ALWAYS_EAGER": "false",
    # Playwright's sync API runs an event loop in the test thread.
    "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    "AXES_ENABLED": "false",
}

for key, value in DEFAULTS.items():
    os.environ.setdefault(key, value)
