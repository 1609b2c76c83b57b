"""Response headers Django 5.2 does not set by itself, and Django's header middleware for the
API's lean handler."""

import logging

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from servestatic.middleware import ServeStaticMiddleware
from servestatic.responders import MissingFileError

logger = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware:
    """The Content-Security-Policy of settings.LAWBOT_CSP on every response, pages and API alike
    (Django's own CSP support arrives in 6.0). A view that needs another policy sets its own."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.LAWBOT_CSP
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def _add(self, response):
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        return self._add(self.get_response(request))

    async def __acall__(self, request):
        return self._add(await self.get_response(request))


class InlineHooksMixin:
    """Runs a MiddlewareMixin's process_request/process_response on the event loop. Django calls
    them through sync_to_async under ASGI (a thread hop each, in case they block); these only
    read the request and set headers, so the hop is pure overhead on every API request."""

    async def __acall__(self, request):
        response = None
        if hasattr(self, "process_request"):
            response = self.process_request(request)
        response = response or await self.get_response(request)
        if hasattr(self, "process_response"):
            response = self.process_response(request, response)
        return response


class InlineSecurityMiddleware(InlineHooksMixin, SecurityMiddleware):
    pass


class InlineXFrameOptionsMiddleware(InlineHooksMixin, XFrameOptionsMiddleware):
    pass


class StaticFilesMiddleware(ServeStaticMiddleware):
    """ServeStatic, with a missing file a 404 under DEBUG too (it raises, a 500 with a
    traceback, to point the developer at its search paths: those go to the log instead)."""

    async def __call__(self, request):
        try:
            return await super().__call__(request)
        except MissingFileError as missing:
            from lawbot_site.views import not_found

            logger.warning("%s", missing)
            return not_found(request)
