"""Imports: upload a CSV or GeoJSON file of places and/or changes; it runs as a task."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from apps.ingest.models import ImportJob
from apps.ingest.tasks import run_import
from apps.territory.models import Theater
from apps.users import roles

from ..fields import StrictModelSerializer


class ImportJobSerializer(StrictModelSerializer):
    url = serializers.SerializerMethodField()
    theater = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    user = serializers.CharField(
        source="user.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ImportJob
        fields = [
            "id", "url", "status", "filename", "theater", "dry_run", "publish", "user",
            "created_at", "started_at", "finished_at", "counts", "errors", "summary",
        ]  # fmt: skip
        read_only_fields = fields

    def get_url(self, job) -> str:
        return reverse("api:import-detail", args=[job.pk], request=self.context.get("request"))


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (places or changes) or GeoJSON, UTF-8.")
    theater = serializers.SlugField(
        required=False, max_length=100,
        help_text="Theater slug: where places named without a slug are matched and created.",
    )  # fmt: skip
    dry_run = serializers.BooleanField(default=False, help_text="Report only; write nothing.")
    publish = serializers.BooleanField(
        default=False, help_text="Publish the imported changes (reviewers); else drafts."
    )

    def validate(self, data):
        if self.initial_data.get("theater", None) == "":
            raise serializers.ValidationError(
                {"theater": ["Give a theater slug, or leave the field out."]}
            )
        if "theater" in data:
            theater = Theater.objects.filter(slug=data["theater"]).first()
            if theater is None:
                raise serializers.ValidationError({"theater": [f"No theater {data['theater']!r}."]})
            data["theater"] = theater
        return data

    def validate_file(self, upload):
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise serializers.ValidationError(
                f"The file is {upload.size:,} bytes; the limit is {settings.IMPORT_MAX_BYTES:,}."
            )
        return upload


class ImportListView(APIView):
    """POST a file to import (202 with the job); GET your recent imports."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer},
                   responses={202: ImportJobSerializer})  # fmt: skip
    def post(self, request):
        if not roles.is_editor(request.user):
            raise PermissionDenied("Only editors may import.")
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        if data["publish"] and not roles.is_reviewer(request.user):
            raise PermissionDenied("Only a reviewer may import published changes.")
        job = start_import(request.user, data["file"], theater=data.get("theater"),
                           dry_run=data["dry_run"], publish=data["publish"])  # fmt: skip
        body = ImportJobSerializer(job, context={"request": request}).data
        return Response(body, status=202, headers={"Location": body["url"]})

    @extend_schema(responses={200: ImportJobSerializer(many=True)})
    def get(self, request):
        jobs = ImportJob.objects.defer("content").filter(user=request.user)[:50]
        return Response(ImportJobSerializer(jobs, many=True, context={"request": request}).data)


class ImportDetailView(APIView):
    """An import's status, counts and per-row errors (yours; any, for reviewers)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ImportJobSerializer, 404: OpenApiResponse(
        inline_serializer("NotFound", {"detail": serializers.CharField()}))})  # fmt: skip
    def get(self, request, pk):
        jobs = ImportJob.objects.defer("content")
        if not roles.is_reviewer(request.user):
            jobs = jobs.filter(user=request.user)
        job = get_object_or_404(jobs, pk=pk)
        return Response(ImportJobSerializer(job, context={"request": request}).data)


def start_import(user, upload, *, theater=None, dry_run=False, publish=False) -> ImportJob:
    """Store the upload as a job and queue it (run at once when Celery is eager)."""
    job = ImportJob.objects.create(
        user=user, filename=upload.name[:255], content=upload.read(), theater=theater,
        dry_run=dry_run, publish=publish,
    )  # fmt: skip
    # robust: if the broker is down the upload still succeeds; the job stays pending and
    # ingest.requeue_pending_imports (beat) queues it once the broker is back.
    transaction.on_commit(lambda: run_import.delay(str(job.pk)), robust=True)
    if settings.CELERY_TASK_ALWAYS_EAGER and not transaction.get_connection().in_atomic_block:
        job.refresh_from_db()
    return job
