from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("networks/", views.networks, name="networks"),
    path("networks/for/", views.networks_for_place, name="networks_for_place"),
    path("networks/<slug:slug>/", views.network, name="network"),
    path("helplines/", views.helplines, name="helplines"),
    path("where-groups-are-missing/", views.coverage, name="coverage"),
]
