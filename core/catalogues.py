"""The catalogues every install needs, loaded after each ``migrate`` and by ``load_catalogues``.

Each app that ships a catalogue has a ``catalogue`` module with ``load(apps) -> {name: created}``
(the app owns its vocabulary; this module only finds and runs the loaders, as the admin finds
``admin`` modules). Loaders create what is missing by stable code and never change an existing
row, so a coordinator's edits survive every upgrade. A row deleted in the admin comes back on the
next ``migrate``: switch it off ("active") instead.
"""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps as global_apps
from django.db import transaction


def catalogue_loaders() -> list[Any]:
    loaders = []
    for config in global_apps.get_app_configs():
        name = f"{config.name}.catalogue"
        if find_spec(name) is not None:
            module = import_module(name)
            if hasattr(module, "load"):
                loaders.append(module.load)
    return loaders


def load_catalogues(apps: Any = None) -> dict[str, int]:
    """Create every missing catalogue row; returns how many rows of each catalogue were created."""
    apps = apps or global_apps
    created: dict[str, int] = {}
    with transaction.atomic():
        for load in catalogue_loaders():
            try:
                created.update(load(apps))
            except LookupError:
                continue  # migrated to a state before that app's catalogue existed
    return created


def load_on_migrate(sender: Any, **kwargs: Any) -> None:
    # post_migrate is sent once per app after the whole migrate run, with every table in place;
    # connected to core's config only, it runs once per migrate.
    load_catalogues(kwargs.get("apps"))
