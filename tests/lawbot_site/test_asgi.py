from lawbot_site.asgi import API_MIDDLEWARE, api, pages


def test_api_requests_skip_the_page_middleware():
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in API_MIDDLEWARE
    assert "django.middleware.csrf.CsrfViewMiddleware" not in API_MIDDLEWARE
    assert api._middleware_chain is not None and pages._middleware_chain is not None
    assert api._middleware_chain is not pages._middleware_chain
