from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from chat.api.errors import ApiError
from lawbot_site.routing import is_api_path


class ApiNotFoundMiddleware:
    """Unknown paths under the API answer in OpenAI's error format, with DEBUG on or off."""

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

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        return self._convert(request, self.get_response(request))

    async def __acall__(self, request):
        return self._convert(request, await self.get_response(request))
