import pytest

from lawbot_site.asgi import API_MIDDLEWARE, api, pages


def test_api_requests_skip_the_page_middleware():
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in API_MIDDLEWARE
    assert "django.middleware.csrf.CsrfViewMiddleware" not in API_MIDDLEWARE
    assert api._middleware_chain is not None and pages._middleware_chain is not None
    assert api._middleware_chain is not pages._middleware_chain


@pytest.mark.parametrize(
    ("code", "phrase"), [(429, b"Too Many Requests"), (422, b"Unprocessable Entity")]
)
def test_daphne_status_lines_name_every_status(code, phrase):
    from twisted.web.http import Request
    from twisted.web.test.requesthelper import DummyChannel

    import lawbot_site.daphne_fixes  # noqa: F401  (as the ASGI module imports it)

    request = Request(DummyChannel())
    request.setResponseCode(code)
    assert request.code_message == phrase  # not b"Unknown Status"
