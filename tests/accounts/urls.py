"""A URLconf for tests of the role guard: one page per role, nothing else."""

from django.http import HttpResponse
from django.urls import include, path

from accounts.roles import Role, role_required


@role_required(Role.EDITOR)
def editors_only(request):
    return HttpResponse("editor desk")


@role_required(Role.RESIDENT)
def residents_only(request):
    return HttpResponse("resident page")


urlpatterns = [
    path("editors-only/", editors_only),
    path("residents-only/", residents_only),
    path("", include("civicchat.urls")),
]
