"""The base for management commands: a service error becomes one line and an exit code."""

from django.core.management.base import BaseCommand, CommandError

from yearend.errors import ServiceError


class ServiceCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ServiceError as error:
            raise CommandError(error.message, returncode=error.exit_code) from None
