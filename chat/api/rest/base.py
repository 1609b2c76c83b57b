"""What every REST resource shares, in one base view: the API key (the one lookup,
chat.api.auth), the key's limits (the one function, api_keys.limits.limits_acquire: requests per
minute and at once, shared with chat and MCP), the request log row, and JSON whatever the client
asks to accept. The views are synchronous (DRF); the key lookup, the limits and the log are the
async functions the chat endpoint uses, called through async_to_sync."""

from asgiref.sync import async_to_sync
from django.utils import translation
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from api_keys.limits import limits_acquire
from chat.api.auth import authenticate
from chat.api.request_record import RequestRecord


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer lb-…`; anything else is the API's 401 `invalid_api_key`."""

    def authenticate(self, request):
        api_key = async_to_sync(authenticate)(request._request)
        return api_key.user, api_key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="lawbot"'


class JsonOnly(BaseContentNegotiation):
    """JSON whatever `Accept` says: an API error is never a 406 or an HTML page."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class UnicodeJSONRenderer(JSONRenderer):
    charset = "utf-8"


class LawbotApiView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [UnicodeJSONRenderer]
    content_negotiation_class = JsonOnly
    throttle_classes: list = []
    # No OPTIONS (DRF's metadata) or HEAD: the methods the schema publishes, and 405 otherwise.
    http_method_names = ["get", "post"]
    record: RequestRecord

    def dispatch(self, request, *args, **kwargs):
        self.record = RequestRecord(path=request.path)
        with translation.override("en"):  # the API speaks English, as OpenAI's does
            response = super().dispatch(request, *args, **kwargs)
        self.record.status = response.status_code
        # Writes the log row and then frees the key's concurrency slot.
        async_to_sync(self.record.save)()
        response["x-request-id"] = self.record.request_id
        return response

    def initial(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names or not hasattr(
            self, request.method.lower()
        ):
            raise MethodNotAllowed(request.method)  # before the key, as on the chat endpoints
        super().initial(request, *args, **kwargs)  # authentication
        self.record.api_key = request.auth
        # No model: a key restricted to some models may still read the law.
        self.record.lease = async_to_sync(limits_acquire)(
            api_key=request.auth, model=None, request_id=self.record.request_id
        )
