"""The OpenAI error format, one place for every API error."""

from django.http import JsonResponse

from api_keys.limits import LimitRefused
from chat.answering.errors import AnswerError

TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
}


class ApiError(AnswerError):
    """An error in the OpenAI format; the pipeline's AnswerError and the limits' LimitRefused
    become one at the API's edge (`api_error`)."""

    @property
    def type(self) -> str:
        return TYPES.get(self.status, "server_error")

    def body(self) -> dict:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }

    def response(self) -> JsonResponse:
        response = JsonResponse(
            self.body(), status=self.status, json_dumps_params={"ensure_ascii": False}
        )
        for name, value in self.headers.items():
            response[name] = value
        if (
            self.status >= 500
            and "x-should-retry" not in self.headers
            and self.status not in (502, 503, 504)
        ):
            response["x-should-retry"] = "false"
        return response


def invalid(message: str, *, param: str | None = None, code: str = "invalid_value") -> ApiError:
    return ApiError(400, message, param=param, code=code)


def internal_error() -> ApiError:
    return ApiError(
        500, "The server had an error while processing your request.", code="internal_error"
    )


def api_error(error: AnswerError | LimitRefused) -> ApiError:
    if isinstance(error, ApiError):
        return error
    return ApiError(
        error.status, error.message, code=error.code, param=error.param, headers=error.headers
    )
