from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from api_keys.services import request_logs_purge
from api_keys.signals import retention_due


class Command(BaseCommand):
    help = (
        "Delete request logs (and conversations stored over the API that nobody kept) older than "
        "LAWBOT_LOG_RETENTION_DAYS (or --days). Batched and "
        "idempotent: safe to run daily from cron while the server runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="keep this many days (default: the setting)")
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, days, batch_size, **opts):
        days = settings.LAWBOT_LOG_RETENTION_DAYS if days is None else days
        if days <= 0:
            self.stdout.write("Retention is 0 (keep forever): nothing deleted.")
            return
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        deleted = request_logs_purge(older_than_days=days, batch_size=batch_size)
        self.stdout.write(f"Deleted {deleted} request logs older than {days} days.")
        for _receiver, (what, count) in retention_due.send(
            sender=self.__class__, older_than_days=days, batch_size=batch_size
        ):
            self.stdout.write(f"Deleted {count} {what} older than {days} days.")
