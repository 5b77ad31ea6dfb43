from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from healingtogether.api.views import api
from healingtogether.lib import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

urlpatterns += i18n_patterns(
    path("", include("healingtogether.directory.urls")),
    path("search/", include("healingtogether.search.urls")),
    path("", include("healingtogether.accounts.urls")),
)
