from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.shortcuts import render

from chat.api.errors import ApiError
from lawbot_site.routing import is_api_path


class ApiNotFoundMiddleware:
    """Unknown paths under the API answer in OpenAI's error format, with DEBUG on or off; a page
    that is not found is Lawbot's own 404 page with DEBUG on too (people run it that way)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def _convert(self, request, response):
        if response.status_code == 404 and response.get("Content-Type", "").startswith("text/html"):
            wants_html = "text/html" in request.headers.get("Accept", "")
            if is_api_path(request.path) or not wants_html:
                response = ApiError(
                    404, f"Unknown path: {request.method} {request.path}", code="not_found"
                ).response()
        if not response.streaming and not response.has_header("Content-Length"):
            # The API's lean middleware (lawbot_site.asgi) has no CommonMiddleware to set it.
            response["Content-Length"] = str(len(response.content))
        return response

    @staticmethod
    def _debug_page(request, response):
        """Django's technical 404 page (DEBUG on), which a person reaching a page should not see."""
        return (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
            and not is_api_path(request.path)
            and "text/html" in request.headers.get("Accept", "")
            and not getattr(response, "lawbot_page", False)
        )

    @staticmethod
    def _not_found_page(request):
        response = render(request, "404.html", status=404)
        response.lawbot_page = True
        return response

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        response = self.get_response(request)
        if self._debug_page(request, response):
            response = self._not_found_page(request)
        return self._convert(request, response)

    async def __acall__(self, request):
        response = await self.get_response(request)
        if self._debug_page(request, response):
            response = await sync_to_async(self._not_found_page)(request)
        return self._convert(request, response)
