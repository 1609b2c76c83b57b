"""The answer to a sign-in from an address that failed too often (django-axes calls it)."""

import math

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def signin_refused(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """The sign-in page again, saying when to retry, with 429 and Retry-After."""
    seconds = settings.AXES_COOLOFF_TIME.total_seconds()
    context = {
        "form": AuthenticationForm(request),
        "locked_out": True,
        "minutes": max(1, math.ceil(seconds / 60)),
        "next": request.POST.get("next", ""),
    }
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(math.ceil(seconds))
    return response
