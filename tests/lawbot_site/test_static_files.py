import pytest
from django.test import Client


@pytest.mark.parametrize("path", ["/static/nope.css", "/static/css/nope.css", "/static/"])
def test_a_missing_static_file_is_a_404_even_under_debug(settings, path):
    settings.DEBUG = True
    response = Client(raise_request_exception=False).get(path, HTTP_ACCEPT="text/html")
    assert response.status_code == 404


def test_static_files_are_still_served():
    response = Client().get("/static/css/lawbot.css")
    assert response.status_code == 200
