"""Uploaded files move from the database (ImportJob.content) to files under IMPORT_ROOT."""

from django.db import migrations, models


def contents_to_files(apps, schema_editor):
    from apps.ingest import files

    ImportJob = apps.get_model("ingest", "ImportJob")
    jobs = ImportJob.objects.exclude(content=b"").values_list("pk", flat=True)
    for pk in list(jobs):  # one job's content in memory at a time
        job = ImportJob.objects.only("pk", "filename", "content").get(pk=pk)
        name, size = files.store(job.pk, [bytes(job.content)], filename=job.filename)
        ImportJob.objects.filter(pk=pk).update(file=name, size=size)


def files_to_contents(apps, schema_editor):
    from apps.ingest import files

    ImportJob = apps.get_model("ingest", "ImportJob")
    for pk, name in list(ImportJob.objects.exclude(file="").values_list("pk", "file")):
        try:
            with files.open_file(name) as handle:
                content = handle.read()
        except FileNotFoundError:
            content = b""
        ImportJob.objects.filter(pk=pk).update(content=content)


class Migration(migrations.Migration):
    dependencies = [("ingest", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="file",
            field=models.CharField(
                blank=True,
                help_text="The uploaded file's name under IMPORT_ROOT (read by whichever "
                "process runs the import); empty once purged.",
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="importjob",
            name="size",
            field=models.PositiveBigIntegerField(default=0, help_text="The uploaded file's bytes."),
        ),
        migrations.RunPython(contents_to_files, files_to_contents, elidable=True),
        migrations.RemoveField(model_name="importjob", name="content"),
        migrations.AddIndex(
            model_name="importjob",
            index=models.Index(fields=["user", "status"], name="importjob_user_status"),
        ),
    ]
