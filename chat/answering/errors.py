"""Why an answer could not be given, in terms every surface can show: the API turns it into
OpenAI error JSON (chat.api.errors), the chat page into a translated message."""


class AnswerError(Exception):
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
