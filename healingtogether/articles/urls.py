from django.urls import path

from . import feeds, views

app_name = "articles"

# "feed" comes before the guides' slugs, and no guide may take it (models.RESERVED_SLUGS).
urlpatterns = [
    path("", views.articles, name="list"),
    path("feed/", feeds.LatestGuides(), name="feed"),
    path("<slug:slug>/", views.article, name="article"),
    path("<slug:slug>/preview/", views.preview, name="preview"),
]
