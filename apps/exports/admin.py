"""Exports in the admin: what was asked, what is still pending, and the files built."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "theater",
        "format",
        "scope",
        "status",
        "size",
        "user",
        "file_link",
    ]
    list_filter = ["status", "format", "theater"]
    readonly_fields = (
        "theater",
        "format",
        "date",
        "date_from",
        "date_to",
        "status",
        "user",
        "size",
        "counts",
        "error",
        "created_at",
        "finished_at",
        "file_link",
    )
    fields = readonly_fields

    @admin.display(description="for")
    def scope(self, job):
        if job.date:
            return f"control on {job.date}"
        if job.date_from or job.date_to:
            return f"{job.date_from or '…'} to {job.date_to or '…'}"
        return "whole record"

    @admin.display(description="file")
    def file_link(self, job):
        if job.status != ExportJob.Status.DONE:
            return "—"
        return format_html(
            '<a href="{}">download</a>', reverse("api:export-download", args=[job.pk])
        )

    def has_add_permission(self, request):
        return False  # asked for through the API (POST /api/v1/exports/)

    def has_change_permission(self, request, obj=None):
        return False
