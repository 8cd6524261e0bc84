"""The base for management commands: a service error becomes one line and an exit code."""

from django.core.management.base import BaseCommand, CommandError

from yearend.errors import ServiceError


class ServiceCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ServiceError as error:
            # Services name the field, not the flag; on the command line the flag is the field.
            hint = f" (--{error.field.replace('_', '-')})" if error.field else ""
            raise CommandError(error.message + hint, returncode=error.exit_code) from None
