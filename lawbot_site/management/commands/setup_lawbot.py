import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from api_keys.services import api_key_create
from laws.index import IndexMissing, get_index
from laws.models import Law


class Command(BaseCommand):
    help = (
        "First-run set-up, safe to repeat: migrate, import the corpus and build the index if "
        "missing, create the admin user and an API key once (printing them once)."
    )

    def handle(self, *args, **options):
        call_command("migrate", verbosity=0, interactive=False)
        if not Law.objects.exists():
            self.stdout.write(
                f"Importing the law corpus from {', '.join(settings.LAWBOT_LAW_SOURCE)} …"
            )
            call_command("import_laws", stdout=self.stdout, stderr=self.stderr)
        else:
            try:
                get_index()
            except IndexMissing:
                from laws.index import index_build

                self.stdout.write("Building the search index …")
                index_build()
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            return
        if user_model.objects.filter(username="admin").exists():
            raise CommandError(
                "A user named 'admin' exists but is not a superuser; fix it in the shell."
            )
        password = secrets.token_urlsafe(12)
        admin = user_model.objects.create_superuser("admin", password=password)
        created = api_key_create(user=admin, name="default")
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "First run: created the administrator and an API key. They are shown only now:",
                    "  admin user:     admin",
                    f"  admin password: {password}",
                    f"  API key:        {created.secret}",
                    f"  admin site:     http://{settings.LAWBOT_HOST}:{settings.LAWBOT_PORT}/admin/",
                    "",
                ]
            )
        )
