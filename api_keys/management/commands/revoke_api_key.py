from django.core.management.base import BaseCommand, CommandError

from api_keys.models import ApiKey
from api_keys.services import api_key_revoke


class Command(BaseCommand):
    help = "Revoke a user's API key by name; it stops working on the next request."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--name", required=True)

    def handle(self, *args, user, name, **opts):
        api_key = ApiKey.objects.filter(user__username=user, name=name).first()
        if api_key is None:
            raise CommandError(f"{user} has no key named {name!r}")
        api_key_revoke(api_key=api_key)
        self.stdout.write(f"Revoked {name!r} ({api_key.prefix}…) of {user}.")
