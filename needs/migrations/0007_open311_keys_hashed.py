import hashlib

from django.db import migrations, models


def hash_keys(apps, schema_editor):
    Open311Key = apps.get_model("needs", "Open311Key")
    for key in Open311Key.objects.all():
        if key.key:
            key.key_hash = hashlib.sha256(key.key.encode()).hexdigest()
            key.prefix = key.key[:4]
        else:
            # An empty key was never meant to work: give it a hash nobody can present.
            key.key_hash = "!" + hashlib.sha256(str(key.pk).encode()).hexdigest()[:63]
            key.active = False
        key.save(update_fields=["key_hash", "prefix", "active"])


class Migration(migrations.Migration):
    dependencies = [
        ("needs", "0006_public_summary_and_never_public_categories"),
    ]

    operations = [
        migrations.AddField(
            model_name="open311key",
            name="key_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="key (SHA-256)"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="open311key",
            name="prefix",
            field=models.CharField(blank=True, editable=False, max_length=8, verbose_name="key begins with"),
        ),
        migrations.RunPython(hash_keys, migrations.RunPython.noop),
        migrations.RemoveField(model_name="open311key", name="key"),
        migrations.AlterField(
            model_name="open311key",
            name="key_hash",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="key (SHA-256)"),
        ),
    ]
