"""Create the booking window's sessions from the schedule (also a daily beat job)."""

from django.core.management.base import BaseCommand

from visits.services import sessions_generate


class Command(BaseCommand):
    help = "Generate visit sessions for the booking window from the weekly schedule (idempotent)."

    def handle(self, *args, **options):
        result = sessions_generate()
        self.stdout.write(
            f"Sessions: {result.created} created, {result.updated} updated, {result.removed} removed, "
            f"{result.kept} kept (off the schedule but booked)."
        )
