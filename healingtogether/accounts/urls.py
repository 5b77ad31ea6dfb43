"""Organiser and moderator pages. Each part keeps its own list, so they can grow apart."""

from .views import auth, claims, freshness, moderation, workspace

app_name = "accounts"

urlpatterns = [
    *auth.urlpatterns,
    *workspace.urlpatterns,
    *moderation.urlpatterns,
    *freshness.urlpatterns,
    *claims.urlpatterns,
]
