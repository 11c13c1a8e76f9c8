"""Imports: upload a CSV or GeoJSON file of places and/or changes; it runs as a task.

The upload answers 202 with the pending job at once (a Celery worker, or in the embedded
default a background thread, runs it: ``apps.ingest.jobs``); 429 when the user already has
IMPORT_MAX_PENDING_PER_USER imports pending or running.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from apps.ingest import access as import_access
from apps.ingest import jobs as import_jobs
from apps.ingest.models import ImportJob
from apps.territory.models import Theater
from apps.users import roles

from ..fields import StrictModelSerializer


class ImportJobSerializer(StrictModelSerializer):
    url = serializers.SerializerMethodField()
    theater: serializers.SlugRelatedField[Theater] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    user = serializers.CharField(
        source="user.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "filename",
            "theater",
            "dry_run",
            "publish",
            "user",
            "created_at",
            "started_at",
            "finished_at",
            "options",
            "counts",
            "errors",
            "summary",
        ]
        read_only_fields = fields

    def get_url(self, job) -> str:
        return reverse("api:import-detail", args=[job.pk], request=self.context.get("request"))


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (places or changes) or GeoJSON, UTF-8.")
    theater = serializers.SlugField(
        required=False,
        max_length=100,
        help_text="Theater slug: where places named without a slug are matched and created.",
    )
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
        try:
            import_jobs.check_upload(name=upload.name, size=upload.size)
        except import_jobs.UploadRefused as error:
            raise serializers.ValidationError(str(error)) from None
        return upload


class TooManyImports(APIException):
    status_code = 429
    default_code = "too_many_imports"


class ImportListView(APIView):
    """POST a file to import (202 with the job); GET your recent imports."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            202: ImportJobSerializer,
            429: OpenApiResponse(
                inline_serializer("TooManyImports", {"detail": serializers.CharField()}),
                description="You already have IMPORT_MAX_PENDING_PER_USER (default 3) imports "
                "pending or running: wait for one to finish, then upload again.",
            ),
        },
    )
    def post(self, request):
        if refusal := import_access.import_refusal(request.user, publish=False):
            raise PermissionDenied(refusal)  # before reading the form
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            job = import_jobs.import_job_start(
                user=request.user,
                upload=data["file"],
                theater=data.get("theater"),
                dry_run=data["dry_run"],
                publish=data["publish"],
            )
        except import_jobs.TooManyPending as error:
            raise TooManyImports(str(error)) from None
        body = ImportJobSerializer(job, context={"request": request}).data
        return Response(body, status=202, headers={"Location": body["url"]})

    @extend_schema(responses={200: ImportJobSerializer(many=True)})
    def get(self, request):
        import_jobs.resume_abandoned()
        jobs = ImportJob.objects.filter(user=request.user)[:50]
        return Response(ImportJobSerializer(jobs, many=True, context={"request": request}).data)


class ImportDetailView(APIView):
    """An import's status, counts and per-row errors (yours; any, for reviewers)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: ImportJobSerializer,
            404: OpenApiResponse(
                inline_serializer("NotFound", {"detail": serializers.CharField()})
            ),
        }
    )
    def get(self, request, pk):
        import_jobs.resume_abandoned()
        jobs = ImportJob.objects.all()
        if not roles.is_reviewer(request.user):
            jobs = jobs.filter(user=request.user)
        job = get_object_or_404(jobs, pk=pk)
        return Response(ImportJobSerializer(job, context={"request": request}).data)


class AreaImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="Area snapshots: one GeoJSON (a day, or features with a `date`), a ZIP of "
        "daily GeoJSON files, or a GeoPackage with a `date` field."
    )
    theater = serializers.SlugField(max_length=100, help_text="The theater's slug.")
    layer = serializers.SlugField(help_text="The layer's slug (created if new).", max_length=120)
    group = serializers.SlugField(
        required=False, help_text="Whose ground (a new layer needs it).", max_length=120
    )
    complement = serializers.SlugField(
        required=False, help_text="Who holds the land the layer leaves out.", max_length=120
    )
    assessor = serializers.CharField(required=False, max_length=200)
    name = serializers.CharField(required=False, max_length=200)
    replace = serializers.BooleanField(default=False, help_text="Replace days stored otherwise.")

    def validate_theater(self, slug):
        theater = Theater.objects.filter(slug=slug).first()
        if theater is None:
            raise serializers.ValidationError(f"No theater {slug!r}.")
        return theater

    def validate_file(self, upload):
        if not upload.name.lower().endswith((".geojson", ".json", ".zip", ".gpkg")):
            raise serializers.ValidationError("Give a .geojson, .json, .zip or .gpkg file.")
        try:
            import_jobs.check_upload(name=upload.name, size=upload.size)
        except import_jobs.UploadRefused as error:
            raise serializers.ValidationError(str(error)) from None
        return upload


class AreaImportView(APIView):
    """POST a series of area snapshots (202 with the job: ``GET imports/{id}/`` for its status,
    counts and per-file errors); reviewers only, as the ground is published as it is."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": AreaImportUploadSerializer},
        responses={202: ImportJobSerializer},
    )
    def post(self, request):
        if refusal := import_access.import_refusal(request.user, publish=True):
            raise PermissionDenied(refusal)
        upload = AreaImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        options = {
            key: data[key]
            for key in ("layer", "group", "complement", "assessor", "name", "replace")
            if key in data
        }
        try:
            job = import_jobs.import_job_start(
                user=request.user,
                upload=data["file"],
                theater=data["theater"],
                kind=ImportJob.Kind.AREAS,
                options=options,
            )
        except import_jobs.TooManyPending as error:
            raise TooManyImports(str(error)) from None
        body = ImportJobSerializer(job, context={"request": request}).data
        return Response(body, status=202, headers={"Location": body["url"]})
