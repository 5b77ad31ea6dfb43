from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """200 when the site can serve: a query on one of its own tables answers; 503 otherwise
    (no database, an empty one, or one that does not answer)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM directory_group LIMIT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
