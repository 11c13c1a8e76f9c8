"""Tombstones say whether their change was ever published: only those are listed to the
public by ``changes/deleted/``.

Existing tombstones are judged by their change's audit trail: a change whose deletion was
recorded was public if any of its revisions shows it published, or published or unpublished
it. A tombstone without a recorded deletion cannot be judged and stays listed."""

from django.db import migrations, models
from django.db.models import Q


def judge_existing(apps, schema_editor):
    DeletedControlChange = apps.get_model("territory", "DeletedControlChange")
    Revision = apps.get_model("history", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="territory", model="controlchange").first()
    if content_type is None:
        return  # no change was ever recorded
    revisions = Revision.objects.filter(content_type=content_type)
    shown = Q(action__in=["published", "unpublished"]) | Q(data__review_state="published")
    tombstones = DeletedControlChange.objects.values_list("pk", "change_id")
    never_public = []
    for pk, change_id in tombstones.iterator(chunk_size=2000):
        history = revisions.filter(object_id=change_id)
        if history.filter(action="deleted").exists() and not history.filter(shown).exists():
            never_public.append(pk)
    for first in range(0, len(never_public), 500):
        DeletedControlChange.objects.filter(pk__in=never_public[first : first + 500]).update(
            was_public=False
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("history", "0001_initial"),
        ("territory", "0005_publish_permission"),
    ]

    operations = [
        migrations.AddField(
            model_name="deletedcontrolchange",
            name="was_public",
            field=models.BooleanField(
                default=True,
                help_text="Published at some time before its deletion (now, or per its revisions).",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(judge_existing, migrations.RunPython.noop),
    ]
