from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from healingtogether.lib import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", include("healingtogether.directory.urls")),
    path("search/", include("healingtogether.search.urls")),
)
