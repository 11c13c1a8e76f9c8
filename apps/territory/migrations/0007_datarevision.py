"""A data revision per theater (``DataRevision``, with its places' own count), one row for each
theater there is."""

import secrets

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def one_per_theater(apps, schema_editor):
    Theater = apps.get_model("territory", "Theater")
    DataRevision = apps.get_model("territory", "DataRevision")
    now = timezone.now()
    DataRevision.objects.bulk_create(
        DataRevision(theater_id=pk, token=secrets.token_hex(8), value=1, changed_at=now)
        for pk in Theater.objects.values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [("territory", "0006_tombstone_was_public")]

    operations = [
        migrations.CreateModel(
            name="DataRevision",
            fields=[
                (
                    "theater",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="data_revision",
                        serialize=False,
                        to="territory.theater",
                    ),
                ),
                ("token", models.CharField(max_length=16)),
                ("value", models.BigIntegerField()),
                ("places_value", models.BigIntegerField(default=1)),
                ("changed_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(one_per_theater, migrations.RunPython.noop),
    ]
