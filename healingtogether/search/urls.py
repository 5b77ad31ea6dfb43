from django.urls import path

from . import finder, views

app_name = "search"

urlpatterns = [
    path("", views.search, name="search"),
    path("finder/", finder.finder, name="finder"),
    path("print/", views.print_list, name="print"),
    path("topics/", views.topics, name="topics"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
]
