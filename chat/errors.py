"""The OpenAI error format, one place for every API error."""

from django.http import JsonResponse

TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.headers = headers or {}

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
