"""Compare stored session counts with real reservations; exit 1 on a difference."""

import sys

from django.core.management.base import BaseCommand

from visits.services import quota_check


class Command(BaseCommand):
    help = "Report sessions whose stored 'booked' differs from their active reservations."

    def handle(self, *args, **options):
        differences = quota_check()
        for diff in differences:
            self.stdout.write(f"session {diff.session_id} ({diff.session}): stored {diff.stored}, real {diff.actual}")
        if differences:
            sys.exit(1)
        self.stdout.write("Quota OK: every stored count matches its reservations.")
