"""GIS exports: ask for one (202 with a job), poll it, download the file when done."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from apps.exports.models import ExportJob
from apps.exports.services import ROLES_ONLY, export_job_start
from apps.territory.models import Theater
from apps.users import roles

CONTENT_TYPES = {
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
    "gpkg": "application/geopackage+sqlite3",
}


class ExportRequestSerializer(serializers.Serializer):
    theater = serializers.SlugField(max_length=100, help_text="Theater slug.")
    format = serializers.ChoiceField(choices=ExportJob.Format.choices)
    date = serializers.DateField(required=False, help_text="Control on this day.")
    # "from" is a Python keyword: the field is named from_ and exposed as "from".
    to = serializers.DateField(required=False, help_text="Changes up to this day.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text="Changes from this day.")
        return fields

    def validate(self, data):
        theater = Theater.objects.filter(slug=data["theater"]).first()
        if theater is None:
            raise serializers.ValidationError({"theater": [f"No theater {data['theater']!r}."]})
        data["theater"] = theater
        if data.get("date") and (data.get("from") or data.get("to")):
            raise serializers.ValidationError(
                {"date": ["Give either a date (control on that day) or from/to (changes)."]}
            )
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            raise serializers.ValidationError({"to": ["'to' must not be before 'from'."]})
        return data


class ExportJobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()
    theater: serializers.SlugRelatedField[Theater] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    expires_at = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "url",
            "status",
            "theater",
            "format",
            "date",
            "date_from",
            "date_to",
            "download",
            "size",
            "counts",
            "error",
            "created_at",
            "finished_at",
            "expires_at",
        ]
        read_only_fields = fields

    def get_url(self, job) -> str:
        return reverse("api:export-detail", args=[job.pk], request=self.context.get("request"))

    def get_download(self, job) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        return reverse("api:export-download", args=[job.pk], request=self.context.get("request"))

    def get_expires_at(self, job) -> str | None:
        if not job.finished_at or job.status != ExportJob.Status.DONE:
            return None
        return (job.finished_at + timedelta(hours=settings.EXPORT_TTL_HOURS)).isoformat()


class HasRole(IsAuthenticated):
    """Exports are built by workers and kept on disk: for Editors and Reviewers, not for any
    account (anyone may read the same record through the API's pages)."""

    message = ROLES_ONLY

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and roles.is_editor(request.user)


def _jobs(request):
    jobs = ExportJob.objects.select_related("theater")
    return jobs if roles.is_reviewer(request.user) else jobs.filter(user=request.user)


class ExportListView(APIView):
    """POST {theater, format, date | from/to} → 202 with the job; the file is built by a
    worker. GET: your recent exports."""

    permission_classes = [HasRole]

    @extend_schema(request=ExportRequestSerializer, responses={202: ExportJobSerializer})
    def post(self, request):
        asked = ExportRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        data = asked.validated_data
        job = export_job_start(
            user=request.user,
            theater=data["theater"],
            format=data["format"],
            date=data.get("date"),
            date_from=data.get("from"),
            date_to=data.get("to"),
        )
        body = ExportJobSerializer(job, context={"request": request}).data
        return Response(body, status=202, headers={"Location": body["url"]})

    @extend_schema(responses={200: ExportJobSerializer(many=True)})
    def get(self, request):
        return Response(
            ExportJobSerializer(_jobs(request)[:50], many=True, context={"request": request}).data
        )


class ExportDetailView(APIView):
    permission_classes = [HasRole]

    @extend_schema(responses={200: ExportJobSerializer})
    def get(self, request, pk):
        job = get_object_or_404(_jobs(request), pk=pk)
        return Response(ExportJobSerializer(job, context={"request": request}).data)


class ExportDownloadView(APIView):
    permission_classes = [HasRole]

    @extend_schema(
        responses={
            (200, "application/geo+json"): {
                "type": "object",
                "required": ["type", "features"],
                "properties": {
                    "type": {"type": "string", "enum": ["FeatureCollection"]},
                    "features": {"type": "array", "items": {"type": "object"}},
                },
            },
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/geopackage+sqlite3"): OpenApiTypes.BINARY,
        },
        description="The export's file, in the media type of its format.",
    )
    def get(self, request, pk):
        job = get_object_or_404(_jobs(request), pk=pk, status=ExportJob.Status.DONE)
        path = Path(settings.EXPORT_ROOT) / job.file
        if not job.file or not path.is_file():
            raise Http404("The file has expired.")
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=path.name,
            content_type=CONTENT_TYPES[job.format],
        )
