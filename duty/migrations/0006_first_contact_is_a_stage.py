"""One "first contact": the note's journey stage. The note's separate switch goes.

A note marked as a first contact while its stage said "discovering" moves to the stage "first
contact"; a note at a later stage keeps it (a resident who already uses the service is past the
first contact). The shift's counter of people met for the first time is named after the same idea.
"""

from django.db import migrations, models


def marked_notes_to_the_stage(apps, schema_editor):
    ConversationNote = apps.get_model("duty", "ConversationNote")
    ConversationNote.objects.filter(first_contact=True, stage="discovery").update(stage="first_contact")


class Migration(migrations.Migration):
    dependencies = [
        ("duty", "0005_published_texts_pass_the_pii_guard"),
    ]

    operations = [
        migrations.RunPython(marked_notes_to_the_stage, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(
            model_name="conversationnote",
            name="first_contact",
        ),
        migrations.RemoveField(
            model_name="historicalconversationnote",
            name="first_contact",
        ),
        migrations.AlterField(
            model_name="historicalshift",
            name="first_time",
            field=models.PositiveIntegerField(default=0, verbose_name="first contact (new residents)"),
        ),
        migrations.AlterField(
            model_name="shift",
            name="first_time",
            field=models.PositiveIntegerField(default=0, verbose_name="first contact (new residents)"),
        ),
    ]
