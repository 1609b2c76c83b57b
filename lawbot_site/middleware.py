"""Response headers Django 5.2 does not set by itself."""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings


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
