from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path


@login_required
def workspace(request):
    return HttpResponse("workspace")


urlpatterns = [path("workspace/", workspace, name="workspace")]
