from django.conf import settings
from django.http import HttpRequest


def lawbot(request: HttpRequest) -> dict:
    return {"allow_signup": settings.LAWBOT_ALLOW_SIGNUP}
