from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import areas, auth, control, export_jobs, imports, records, zones

router = SimpleRouter()
router.register("theaters", records.TheaterViewSet, basename="theater")
router.register("groups", records.GroupViewSet, basename="group")
router.register("sources", records.SourceViewSet, basename="source")
router.register("places", records.PlaceViewSet, basename="place")
router.register("changes", records.ChangeViewSet, basename="change")

app_name = "api"
urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("auth/tokens/", auth.TokensView.as_view(), name="tokens"),
    path("changes/deleted/", records.DeletedChangesView.as_view(), name="changes-deleted"),
    path("places/<int:pk>/history/", control.PlaceHistoryView.as_view(), name="place-history"),
    path("control/", control.ControlView.as_view(), name="control"),
    path("control/diff/", control.ControlDiffView.as_view(), name="control-diff"),
    path("timeline/", control.TimelineView.as_view(), name="timeline"),
    path("zones/", zones.ZonesView.as_view(), name="zones"),
    path("stats/control-series/", control.ControlSeriesView.as_view(), name="control-series"),
    path("areas/", areas.AreasView.as_view(), name="areas"),
    path("areas/diff/", areas.AreaDiffView.as_view(), name="area-diff"),
    path("areas/disagreement/", areas.AreaDisagreementView.as_view(), name="area-disagreement"),
    path("area-timeline/", areas.AreaTimelineView.as_view(), name="area-timeline"),
    path("frontline/", areas.FrontlineView.as_view(), name="frontline"),
    path("area-versions/", areas.AreaVersionsFeedView.as_view(), name="area-versions"),
    path(
        "area-versions/deleted/",
        areas.DeletedAreaVersionsView.as_view(),
        name="area-versions-deleted",
    ),
    path("stats/area-series/", areas.AreaSeriesView.as_view(), name="area-series"),
    path("imports/", imports.ImportListView.as_view(), name="import-list"),
    path("area-imports/", imports.AreaImportView.as_view(), name="area-import"),
    path("imports/<uuid:pk>/", imports.ImportDetailView.as_view(), name="import-detail"),
    path("exports/", export_jobs.ExportListView.as_view(), name="export-list"),
    path("exports/<uuid:pk>/", export_jobs.ExportDetailView.as_view(), name="export-detail"),
    path(
        "exports/<uuid:pk>/download",
        export_jobs.ExportDownloadView.as_view(),
        name="export-download",
    ),
    *router.urls,
]
