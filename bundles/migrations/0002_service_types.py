from django.db import migrations


def load(apps, schema_editor):
    from bundles.catalogue import load_service_types

    load_service_types(apps.get_model("bundles", "ServiceType"))


class Migration(migrations.Migration):
    dependencies = [("bundles", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
