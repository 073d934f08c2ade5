"""Re-send report jobs that nobody is working on (what Celery beat runs every minute)."""

from django.core.management.base import BaseCommand

from reports.services import jobs


class Command(BaseCommand):
    help = "Re-queue report jobs stuck in the queue or silent while running."

    def handle(self, *args, **options):
        resent = jobs.jobs_reconcile()
        self.stdout.write(f"re-sent {len(resent)} job(s)" + (f": {resent}" if resent else ""))
