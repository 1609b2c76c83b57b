from django.core.management.base import BaseCommand, CommandError

from api_keys.models import ApiKey
from api_keys.services import api_key_create, user_get_or_create


class Command(BaseCommand):
    help = "Create an API key for a user (created if missing). The secret is the last line printed."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--rpm", type=int, help="requests per minute")
        parser.add_argument("--tpd", type=int, help="tokens per day")
        parser.add_argument("--max-concurrent", type=int, help="concurrent streams")
        parser.add_argument("--models", help="comma-separated models this key may use")
        parser.add_argument("--expires-in-days", type=int)

    def handle(self, *args, **opts):
        user = user_get_or_create(username=opts["user"])
        if ApiKey.objects.filter(user=user, name=opts["name"]).exists():
            raise CommandError(f"{opts['user']} already has a key named {opts['name']!r}")
        models = [m.strip() for m in (opts["models"] or "").split(",") if m.strip()]
        created = api_key_create(
            user=user,
            name=opts["name"],
            rpm_limit=opts["rpm"],
            tpd_limit=opts["tpd"],
            max_concurrent=opts["max_concurrent"],
            allowed_models=models,
            expires_in_days=opts["expires_in_days"],
        )
        self.stdout.write(
            f"API key {opts['name']!r} for {user.username} ({created.api_key.prefix}…)."
        )
        self.stdout.write("The secret is shown once; store it now:")
        self.stdout.write(created.secret)
