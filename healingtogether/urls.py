from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from healingtogether import views
from healingtogether.accounts.views.auth import admin_login
from healingtogether.api import urls as open_data
from healingtogether.api.views import api
from healingtogether.directory import urls as directory
from healingtogether.lib import health

# The home, about and group pages show several apps; they join the directory's pages and names.
pages = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("groups/<slug:slug>/", views.group, name="group"),
    *directory.urlpatterns,
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # Before the admin's own: the same login counters as the organisers' login page.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    *open_data.urlpatterns,
]

urlpatterns += i18n_patterns(
    path("", include((pages, directory.app_name))),
    path("search/", include("healingtogether.search.urls")),
    path("guides/", include("healingtogether.articles.urls")),
    path("", include("healingtogether.accounts.urls")),
    path("", include(open_data.calendars)),
)
