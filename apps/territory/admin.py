"""The editors' workplace: every form saves through the services (``admin_forms``), every
delete too, and a page that comes back with errors has written nothing.

Editors add and edit drafts, and the theaters, groups, places and sources no published change
rests on; reviewers also publish, unpublish, edit published changes and what they rest on, and
delete (``apps.users.roles``). To an editor, a record the public sees is shown read-only,
with the reason. Each record's "History" lists its revisions from the audit
trail with a button to restore any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from leaflet.admin import LeafletGeoAdminMixin

from apps.history.models import Revision
from apps.users import roles

from . import admin_forms, csv_tables, selectors, services
from .models import ArmedGroup, ControlChange, Place, Source, Theater
from .search import fold

admin.site.site_header = "Frontline — editors"
admin.site.site_title = "Frontline admin"
admin.site.index_title = "The record"


def describe_state(state) -> str:
    if state.status == "unknown":
        return "unknown (no published change yet)"
    holder = state.controller.name if state.controller else "no one"
    text = f"{state.status}, {holder}"
    if state.challengers:
        text += f" (challenged by {', '.join(g.name for g in state.challengers)})"
    return f"{text}, since {state.since:%Y-%m-%d}"


class MapAdmin(LeafletGeoAdminMixin):
    """django-leaflet's map widgets, over the bundled offline basemap."""

    class Media:
        js = ["js/admin-basemap.js"]


class ServiceAdmin(admin.ModelAdmin):
    """Forms write through the services; deletes too; a POST that is answered with the form
    again (errors) rolls back whatever the forms wrote while being validated."""

    delete_service: Callable[[Any], None] | None = None  # deletes obj (for delete_model)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with transaction.atomic():
            response = super().changeform_view(request, object_id, form_url, extra_context)
            context = getattr(response, "context_data", None) or {}
            if request.method == "POST" and context.get("errors"):
                transaction.set_rollback(True)  # shown again with errors: nothing is kept
        return response

    def save_model(self, request, obj, form, change):
        pass  # the form saved it through the services

    def delete_model(self, request, obj):
        delete = type(self).delete_service
        assert delete is not None, f"{type(self).__name__} names no delete_service"
        delete(obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            with transaction.atomic():
                return super().delete_view(request, object_id, extra_context)
        except services.InUseError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(
                reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id]
                )
            )

    def response_action(self, request, queryset):
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except services.InUseError as error:
            self.message_user(request, f"Nothing was deleted: {error}", messages.ERROR)
            return redirect(request.get_full_path())

    # --- History from the audit trail ----------------------------------------------------

    def may_restore(self, request, obj) -> bool:
        """Whether the history page offers "Restore" (the restore view checks again)."""
        return self.has_change_permission(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        revisions = Revision.objects.filter(
            content_type__app_label=self.opts.app_label,
            content_type__model=self.opts.model_name,
            object_id=obj.pk,
        ).select_related("user")
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "revisions": revisions,
            "can_restore": self.may_restore(request, obj),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/territory/history.html", context)


def restore_view(request, revision_id):
    """POST: put a record back as it was after a revision (or before its deletion)."""
    revision = get_object_or_404(Revision, pk=revision_id)
    if request.method != "POST":
        return HttpResponse(status=405)
    if not services.restore_allowed(request.user, revision):
        raise PermissionDenied
    try:
        with transaction.atomic():
            obj = services.revision_restore(revision=revision)
    except ValidationError as error:
        messages.error(request, f"Not restored: {'; '.join(error.messages)}")
    except (services.StaleVersionError, services.InUseError, PermissionDenied) as error:
        messages.error(request, f"Not restored: {error}")
    else:
        messages.success(request, f"Restored {obj} as it was on {revision.at:%Y-%m-%d %H:%M}.")
        opts = obj._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))
    return redirect(request.META.get("HTTP_REFERER") or reverse("admin:index"))


# --- Theaters, groups, sources ---------------------------------------------------------------


class RecordAdmin(ServiceAdmin):
    """A theater, group, place or source: read-only to an editor while a published change
    rests on it (``services.published_use``); the services refuse such an edit anyway."""

    def public_use(self, request, obj) -> str | None:
        if obj is None or obj.pk is None or roles.is_reviewer(request.user):
            return None
        if not hasattr(request, "published_use"):  # asked several times per page
            request.published_use = {}
        key = (type(obj), obj.pk)
        if key not in request.published_use:
            request.published_use[key] = services.published_use(obj)
        return request.published_use[key]

    def get_readonly_fields(self, request, obj=None):
        if self.public_use(request, obj):
            return [*(self.form._meta.fields or ())]
        return super().get_readonly_fields(request, obj)

    def get_prepopulated_fields(self, request, obj=None):
        if self.public_use(request, obj):
            return {}  # nothing to fill in: the fields are read-only
        return super().get_prepopulated_fields(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, object_id) if object_id else None
        use = self.public_use(request, obj)
        if use:
            why = (
                f"this {self.opts.verbose_name} is {use}, so the public sees it: only a "
                "reviewer may edit it."
            )
            if request.method == "GET":
                self.message_user(request, why[0].upper() + why[1:], messages.WARNING)
            elif any(name in request.POST for name in self.form._meta.fields or ()):
                # a page opened while it was editable: its fields would be ignored in silence
                self.message_user(request, f"Nothing was saved: {why}", messages.ERROR)
                return redirect(request.get_full_path())
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(Theater)
class TheaterAdmin(MapAdmin, RecordAdmin):
    form = admin_forms.TheaterForm
    list_display = ["name", "slug", "start_date", "end_date"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    delete_service = staticmethod(lambda obj: services.theater_delete(theater=obj))
    actions = ["export_record"]

    @admin.action(description="Export the published record of the selected theaters (ZIP of CSV)")
    def export_record(self, request, queryset):
        return csv_tables.theater_record_response(queryset)


@admin.register(ArmedGroup)
class GroupAdmin(RecordAdmin):
    form = admin_forms.GroupForm
    list_display = ["colour", "name", "short_name", "kind", "founded", "dissolved"]
    list_display_links = ["name"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    delete_service = staticmethod(lambda obj: services.group_delete(group=obj))

    @admin.display(description="")
    def colour(self, group):
        return format_html(
            '<span title="{}" style="display:inline-block;width:1.2em;height:1.2em;'
            'border-radius:50%;background:{};border:1px solid #0003"></span>',
            group.color,
            group.color,
        )


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    form = admin_forms.SourceForm
    list_display = ["title", "publisher", "published", "url"]
    search_fields = ["title", "publisher", "url", "key"]
    date_hierarchy = "published"
    delete_service = staticmethod(lambda obj: services.source_delete(source=obj))


# --- Places, with their changes inline -------------------------------------------------------


class ChangeInlineFormSet(BaseInlineFormSet):
    """Rows deleted through the services (tombstone, periods, audit), reviewers only."""

    user: roles.AnyUser = None  # set by ChangeInline.get_formset

    def delete_existing(self, obj, commit=True):
        if commit:
            if not roles.can_delete(self.user, "controlchange"):
                raise PermissionDenied("Only a reviewer may delete a change.")
            services.control_change_delete(change=obj, user=self.user)


class ChangeInline(admin.TabularInline):
    model = ControlChange
    form = admin_forms.ChangeForm
    formset = ChangeInlineFormSet
    fields = [
        "date",
        "date_precision",
        "status",
        "controller",
        "challenger_groups",
        "confidence",
        "sources",
        "summary",
        "review_state",
        "version",
    ]
    autocomplete_fields = ["controller", "sources"]
    ordering = ["date"]
    extra = 1
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        form = type(formset.form.__name__, (formset.form,), {"user": request.user})
        return type(formset.__name__, (formset,), {"form": form, "user": request.user})

    def has_delete_permission(self, request, obj=None):
        return roles.can_delete(request.user, "controlchange")


@admin.register(Place)
class PlaceAdmin(MapAdmin, RecordAdmin):
    form = admin_forms.PlaceForm
    list_display = ["name", "kind", "country", "theater", "importance", "population"]
    list_filter = ["theater", "kind", "country", "importance"]
    search_fields = ["name", "slug", "search_text"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ChangeInline]
    delete_service = staticmethod(lambda obj: services.place_delete(place=obj))
    settings_overrides = {"DEFAULT_ZOOM": 6}

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term))


# --- Control changes -------------------------------------------------------------------------


NEW_STATE_FIELDS = ("status", "controller", "challenger_groups", "supported_by", "confidence")


@admin.register(ControlChange)
class ChangeAdmin(ServiceAdmin):
    form = admin_forms.ChangeForm
    list_display = [
        "place",
        "date",
        "status",
        "controller",
        "confidence",
        "review_state",
        "author",
        "updated_at",
    ]
    list_filter = ["place__theater", "controller", "status", "confidence", "review_state"]
    list_select_related = ["place", "controller", "author"]
    date_hierarchy = "date"
    search_fields = ["place__name", "place__search_text", "summary"]
    autocomplete_fields = ["place", "controller", "supported_by", "sources"]
    readonly_fields = ["state_context", "author", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["place", "date", "date_precision", "state_context"]}),
        ("The new state", {"fields": NEW_STATE_FIELDS}),
        ("Evidence", {"fields": ["summary", "sources"]}),
        ("Review", {"fields": ["review_state", "version", "author", "created_at", "updated_at"]}),
    ]
    actions = ["publish", "unpublish", "export_csv"]

    class Media:
        js = ["js/admin-change-context.js"]

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is not None and obj.review_state == "published":
            return allowed and roles.is_reviewer(request.user)
        return allowed

    def delete_model(self, request, obj):
        services.control_change_delete(change=obj, user=request.user)

    @admin.display(description="Place's state")
    def state_context(self, change):
        if not change.pk:
            return format_html('<span id="state-context">{}</span>', "Pick a place and a date.")
        now = selectors.place_state_on(place=change.place, on=timezone.localdate())
        if change.date == date.min:
            return format_html('<span id="state-context">Today: {}</span>', describe_state(now))
        day_before = change.date - timedelta(days=1)
        before = selectors.place_state_on(place=change.place, on=day_before)
        return format_html(
            '<span id="state-context">Today: {}<br>Before this change (on {}): {}</span>',
            describe_state(now),
            f"{day_before:%Y-%m-%d}",
            describe_state(before),
        )

    def _set_review_state(self, request, queryset, state: str, verb: str):
        if not roles.is_reviewer(request.user):
            self.message_user(request, f"Only a reviewer may {verb}.", messages.ERROR)
            return
        done, refused = 0, []
        for change in queryset.select_related("place"):
            if change.review_state == state:
                continue
            try:
                with transaction.atomic():
                    services.control_change_update(
                        change=change, version=change.version, review_state=state
                    )
                done += 1
            except (ValidationError, services.StaleVersionError) as error:
                reason = "; ".join(getattr(error, "messages", [str(error)]))
                refused.append(f"{change}: {reason}")
        self.message_user(request, f"{verb.capitalize()}ed {done} change(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, f"Not {verb}ed — {line}", messages.ERROR)

    @admin.action(description="Publish the selected changes")
    def publish(self, request, queryset):
        self._set_review_state(request, queryset, "published", "publish")

    @admin.action(description="Unpublish the selected changes (back to draft)")
    def unpublish(self, request, queryset):
        self._set_review_state(request, queryset, "draft", "unpublish")

    @admin.action(description="Export the selected changes (CSV)")
    def export_csv(self, request, queryset):
        return csv_tables.changes_csv_response(queryset, "changes")

    def get_urls(self):
        restore = self.admin_site.admin_view(restore_view)
        return [
            path("restore/<int:revision_id>/", restore, name="territory_restore"),
            *super().get_urls(),
        ]
