"""Admin forms that save through the services, while the form is validated.

A ModelForm would build and validate the instance itself and then save it directly; these
call the service instead (in a savepoint), so every domain rule the service checks comes back
as an error on the right field, nothing bypasses the audit trail or the period rebuild, and
an admin page that shows errors has written nothing (``RollbackOnErrorsMixin``). An unchanged
form writes nothing.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.html import format_html, format_html_join

from apps.history.models import Revision
from apps.users import roles

from . import services
from .models import ArmedGroup, ControlChange, Place, Source, Theater


class ServiceForm(forms.ModelForm):
    """Subclasses name their create/update services, or implement ``write(data)``."""

    user = None  # set by the admin: whose roles apply
    field_for_error: dict[str, str] = {}  # a service's field name -> this form's

    # (create, update, name of the update's object argument): the default write() below.
    writers: tuple = ()

    def write(self, data: dict):
        create, update, name = self.writers
        fields = changed_fields(self, self._meta.fields)
        if self.instance.pk:
            return update(**{name: self.instance}, **fields)
        return create(**fields)

    def _post_clean(self):
        if self.errors or (self.instance.pk and not self.has_changed()):
            return
        if self.cleaned_data.get("DELETE"):  # an inline row to delete: the formset does it
            return
        try:
            with transaction.atomic():
                saved = self.write(self.cleaned_data)
            if saved is not self.instance:
                # A new object: fill in the form's own instance, which inline formsets (built
                # before validation) already hold as their parent.
                self.instance.pk = saved.pk
                self.instance._state.adding = False
                self.instance.refresh_from_db()
        except ValidationError as error:
            self.add_service_errors(error)
        except services.StaleVersionError as error:
            self.add_error(None, conflict_message(error))
        except (services.InUseError, PermissionDenied) as error:
            self.add_error(None, str(error))

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            field = self.field_for_error.get(field, field)
            if field in self.fields and field not in self.errors:
                self.add_error(field, messages)
            else:
                label = "" if field == NON_FIELD_ERRORS else f"{field}: "
                self.add_error(None, [f"{label}{m}" for m in messages])

    def save(self, commit=True):
        return self.instance  # already saved by write()

    def save_m2m(self):
        pass  # the services set many-to-many fields


def changed_fields(form, names) -> dict:
    """The fields among `names` that the form changed (all of them when adding)."""
    data = form.cleaned_data
    chosen = [n for n in names if n in data and (not form.instance.pk or n in form.changed_data)]
    return {n: list(data[n]) if isinstance(data[n], QuerySet) else data[n] for n in chosen}


# --- Theaters, groups, places, sources -------------------------------------------------------


class NamesField(forms.CharField):
    """A list of names typed one per line (or separated by |), as aliases are."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 40})

    def __init__(self, *, encoder=None, decoder=None, **kwargs):  # given to JSONField's field
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        names = [n.strip() for line in text.splitlines() for n in line.split("|")]
        return [n for n in names if n]

    def has_changed(self, initial, data):
        return (initial or []) != self.to_python(data)


class TextField(forms.CharField):
    """Multi-line text with the browser's CRLF line breaks read as LF, as stored: a summary
    saved through the API must not look edited to a form that did not touch it."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


class TheaterForm(ServiceForm):
    writers = (services.theater_create, services.theater_update, "theater")

    class Meta:
        model = Theater
        fields = ["name", "slug", "description", "bounds", "start_date", "end_date"]


class ColorInput(forms.TextInput):
    """The browser's colour picker; its swatch is the preview."""

    input_type = "color"


class GroupForm(ServiceForm):
    writers = (services.group_create, services.group_update, "group")

    class Meta:
        model = ArmedGroup
        fields = [
            "name",
            "slug",
            "short_name",
            "aliases",
            "color",
            "kind",
            "parent",
            "founded",
            "dissolved",
            "description",
        ]
        widgets = {"color": ColorInput()}
        field_classes = {"aliases": NamesField}
        help_texts = {"aliases": "One per line, e.g. ISIS, Daesh."}


class PlaceForm(ServiceForm):
    writers = (services.place_create, services.place_update, "place")

    class Meta:
        model = Place
        fields = [
            "theater",
            "name",
            "slug",
            "kind",
            "country",
            "aliases",
            "location",
            "area",
            "population",
            "importance",
        ]
        field_classes = {"aliases": NamesField}
        help_texts = {"aliases": "One per line, any spelling: Dayr az-Zawr, Deir al-Zour…"}


class HttpsURLField(forms.URLField):
    """A URL typed without a scheme is read as https."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class SourceForm(ServiceForm):
    writers = (services.source_create, services.source_update, "source")

    class Meta:
        model = Source
        fields = ["title", "url", "publisher", "published", "archive_url", "key"]
        # model fields' classes, not declared fields: the admin can then show them read-only
        field_classes = {"url": HttpsURLField, "archive_url": HttpsURLField}


# --- Control changes -------------------------------------------------------------------------

CHANGE_FIELDS = [
    "place",
    "date",
    "date_precision",
    "status",
    "controller",
    "challengers",
    "supported_by",
    "confidence",
    "summary",
    "sources",
    "review_state",
]


class ChangeForm(ServiceForm):
    field_for_error = {"challengers": "challenger_groups"}
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # `challengers` has its own through model, which the admin will not edit as a model
    # field; this form field stands for it (the services take a list of groups).
    challenger_groups = forms.ModelMultipleChoiceField(
        ArmedGroup.objects.all(),
        required=False,
        label="Challengers",
        help_text="Groups contesting or besieging the place (required unless controlled).",
        widget=AutocompleteSelectMultiple(ControlChange._meta.get_field("challengers"), admin.site),
    )

    class Meta:
        model = ControlChange
        fields = [name for name in CHANGE_FIELDS if name != "challengers"] + ["version"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3, "cols": 60})}
        field_classes = {"summary": TextField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["challenger_groups"].initial = list(self.instance.challengers.all())
        if "review_state" in self.fields and not roles.is_reviewer(self.user):
            self.fields["review_state"].help_text = "Only a reviewer may publish."

    def write(self, data):
        fields = changed_fields(self, [*CHANGE_FIELDS, "challenger_groups"])
        if "challenger_groups" in fields:
            fields["challengers"] = fields.pop("challenger_groups")
        current = self.instance.review_state if self.instance.pk else None
        new_state = fields.get("review_state", current or ControlChange.ReviewState.DRAFT)
        roles.check_change_write(self.user, current_state=current, new_state=new_state)
        if self.instance.pk:
            version = data.get("version") or self.instance.version
            return services.control_change_update(change=self.instance, version=version, **fields)
        if "place" not in fields:  # an inline row: the place is the page's
            fields["place"] = self.instance.place
        return services.control_change_create(author=self.user, **fields)


def conflict_message(error: services.StaleVersionError):
    """What the other saves changed since the version this editor read, from the audit trail."""
    revisions = Revision.objects.filter(
        content_type__app_label="territory",
        content_type__model="controlchange",
        object_id=error.change.pk,
        data__version__gt=error.expected,
    ).order_by("at", "pk")
    items = format_html_join(
        "",
        "<li>{} by {} ({}) at {}: {}</li>",
        (
            (
                r.get_action_display(),
                r.user or "someone",
                r.get_via_display(),
                f"{r.at:%Y-%m-%d %H:%M:%S}",
                "; ".join(f"{k} {before!r} → {after!r}" for k, (before, after) in r.diff.items())
                or "no field changed",
            )
            for r in revisions
        ),
    )
    if not revisions:
        items = format_html("<li>{}</li>", "a save that changed no field")
    return format_html(
        "This change was saved by someone else after you opened it (you edited version {}, "
        "it is now version {}). Your edit was not saved and nothing was overwritten. What "
        "changed meanwhile:<ul>{}</ul>Reload the page to see the current version, then apply "
        "your edit again.",
        error.expected,
        error.current,
        items,
    )
