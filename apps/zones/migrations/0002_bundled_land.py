"""Load the bundled Natural Earth land (the same coastline the map draws) into zones.Land."""

from django.db import migrations


def load_bundled_land(apps, schema_editor):
    from apps.zones import land

    land.load(apps.get_model("zones", "Land"))


def drop_land(apps, schema_editor):
    apps.get_model("zones", "Land").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("zones", "0001_initial")]

    operations = [migrations.RunPython(load_bundled_land, drop_land)]
