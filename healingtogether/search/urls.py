from django.urls import path

from . import finder, views

app_name = "search"

urlpatterns = [
    path("", views.search, name="search"),
    path("finder/", finder.finder, name="finder"),
    path("print/", views.print_list, name="print"),
]
