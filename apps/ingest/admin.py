"""Imports in the admin: "Add" is the upload form; each job shows its report."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from apps.territory.models import ArmedGroup, Theater
from apps.users import roles
from apps.users.models import User

from . import jobs
from .models import ImportJob


class UploadForm(forms.ModelForm):
    user: User | None = None  # the uploader, set by ImportJobAdmin.get_form (an admin user)
    file = forms.FileField(
        help_text="CSV (places or changes, the reference dataset's columns) "
        "or GeoJSON, UTF-8. See the README."
    )

    class Meta:
        model = ImportJob
        fields = ["file", "theater", "dry_run", "publish"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            jobs.check_upload(name=upload.name, size=upload.size)
        except jobs.UploadRefused as error:
            raise forms.ValidationError(str(error)) from None
        return upload

    def clean(self):
        data = super().clean()
        try:
            jobs.check_pending_limit(self.user)
        except jobs.TooManyPending as error:
            raise forms.ValidationError(str(error)) from None
        return data


class AreaUploadForm(forms.Form):
    file = forms.FileField(help_text="A GeoJSON, a ZIP of daily GeoJSON files, or a GeoPackage.")
    theater = forms.ModelChoiceField(queryset=Theater.objects.order_by("name"))
    layer = forms.SlugField(max_length=120, help_text="The layer's slug (created if new).")
    group = forms.ModelChoiceField(
        queryset=ArmedGroup.objects.order_by("name"),
        required=False,
        help_text="Whose ground (a new layer needs it).",
    )
    complement = forms.ModelChoiceField(
        queryset=ArmedGroup.objects.order_by("name"),
        required=False,
        help_text="Who holds the theater's land the layer leaves out.",
    )
    assessor = forms.CharField(max_length=200, required=False, help_text="e.g. DeepStateMap.")
    name = forms.CharField(max_length=200, required=False)
    replace = forms.BooleanField(required=False, help_text="Replace days stored otherwise.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".geojson", ".json", ".zip", ".gpkg")):
            raise forms.ValidationError("Give a .geojson, .json, .zip or .gpkg file.")
        try:
            jobs.check_upload(name=upload.name, size=upload.size)
        except jobs.UploadRefused as error:
            raise forms.ValidationError(str(error)) from None
        return upload


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "filename", "status", "summary", "user", "dry_run"]
    list_filter = ["status", "dry_run"]
    search_fields = ["filename", "summary"]
    readonly_fields = [
        "filename",
        "size",
        "status",
        "user",
        "theater",
        "dry_run",
        "publish",
        "created_at",
        "started_at",
        "finished_at",
        "summary",
        "counts",
        "error_list",
    ]

    def get_fields(self, request, obj=None):
        return ["file", "theater", "dry_run", "publish"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = UploadForm
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user  # type: ignore[attr-defined]  # a new class: UploadForm reads it
        return form

    def has_add_permission(self, request):
        return roles.is_editor(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return roles.is_editor(request.user)

    def has_delete_permission(self, request, obj=None):
        return roles.is_reviewer(request.user)

    def get_queryset(self, request):
        jobs.resume_abandoned()
        found = super().get_queryset(request)
        return found if roles.is_reviewer(request.user) else found.filter(user=request.user)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        job = jobs.import_job_start(
            user=request.user,
            upload=data["file"],
            theater=data.get("theater"),
            dry_run=data["dry_run"],
            publish=data["publish"],
        )
        obj.pk = job.pk

    def get_urls(self):
        upload = self.admin_site.admin_view(self.area_upload_view)
        return [path("areas/", upload, name="ingest_importjob_areas"), *super().get_urls()]

    def area_upload_view(self, request):
        """An area series as an import job (reviewers: the ground is published as it is)."""
        if not roles.is_reviewer(request.user):
            raise PermissionDenied
        form = AreaUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            options = {
                "layer": data["layer"],
                "group": data["group"].slug if data["group"] else None,
                "complement": data["complement"].slug if data["complement"] else None,
                "assessor": data["assessor"] or None,
                "name": data["name"] or None,
                "replace": data["replace"],
            }
            try:
                job = jobs.import_job_start(
                    user=request.user,
                    upload=data["file"],
                    theater=data["theater"],
                    kind=ImportJob.Kind.AREAS,
                    options={k: v for k, v in options.items() if v is not None},
                )
            except jobs.TooManyPending as error:
                form.add_error(None, str(error))
            else:
                return self.response_add(request, job)
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload an area series",
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/ingest/importjob/area_upload.html", context)

    def response_add(self, request, obj, post_url_continue=None):
        job = ImportJob.objects.get(pk=obj.pk)
        level = messages.ERROR if job.status == ImportJob.Status.FAILED else messages.SUCCESS
        self.message_user(request, job.summary or "Import queued: reload for its report.", level)
        return redirect(reverse("admin:ingest_importjob_change", args=[job.pk]))

    @admin.display(description="Errors")
    def error_list(self, job):
        if not job.errors:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((e.get("row") or "—", e.get("column") or "—", e["message"]) for e in job.errors),
        )
        return format_html(
            "<table><thead><tr><th>Row</th><th>Column</th><th>Problem</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )
