"""The portal's URLs plus `/bench/trivial/`, a logged-in page doing the least a page can do."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path


@login_required
def trivial(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/trivial/", trivial, name="bench-trivial"),
    path("", include("kontum_poverty.urls")),
]
