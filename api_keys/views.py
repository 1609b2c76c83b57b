"""A signed-in user's own API keys: create (secret shown once), revoke, last use and usage."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from api_keys.forms import KeyCreateForm
from api_keys.models import ApiKey
from api_keys.services import api_key_create, api_key_revoke
from api_keys.usage import usage_context


def _page(request: HttpRequest, form: KeyCreateForm, created=None) -> HttpResponse:
    keys = list(ApiKey.objects.filter(user=request.user))
    context = {"keys": keys, "form": form, "created": created, **usage_context(keys=keys)}
    response = render(request, "api_keys/keys.html", context, status=201 if created else 200)
    add_never_cache_headers(response)  # the back button must not bring a secret back
    return response


@login_required
def keys_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, KeyCreateForm(user=request.user))
    form = KeyCreateForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, form)
    created = api_key_create(user=request.user, **form.cleaned_data)
    # The secret goes into this response only: no redirect, no session, no message storage.
    return _page(request, KeyCreateForm(user=request.user), created)


@login_required
def key_detail(request: HttpRequest, pk: int) -> HttpResponse:
    api_key = get_object_or_404(ApiKey, pk=pk, user=request.user)
    context = {"api_key": api_key, **usage_context(keys=[api_key])}
    return render(request, "api_keys/key_detail.html", context)


@login_required
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    api_key_revoke(api_key=get_object_or_404(ApiKey, pk=pk, user=request.user))
    return redirect("api_keys:list")
