"""Where open data lives. `urlpatterns` sit outside the language prefix (the HSDS API, the
sitemap, robots.txt); `calendars` sit inside it, so a calendar's texts follow the page's
language: /fr/groups/<slug>/calendar.ics, /fr/search/calendar.ics?…"""

from django.urls import include, path

from . import calendar, meeting_guide, sitemaps

urlpatterns = [
    path("api/hsds/", include("healingtogether.api.hsds.urls")),
    path("api/meeting-guide.json", meeting_guide.feed, name="meeting-guide"),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path("robots.txt", sitemaps.robots, name="robots"),
]

calendars = (
    [
        path("groups/<slug:slug>/calendar.ics", calendar.group_calendar, name="group"),
        path("search/calendar.ics", calendar.search_calendar, name="search"),
    ],
    "calendar",
)
