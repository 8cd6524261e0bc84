"""The WSGI app plus its static files, for `make run-scaled` on one machine.

In production a reverse proxy or CDN serves STATIC_ROOT (after ``collectstatic``) and
gunicorn runs ``yearend.wsgi:application``; this wrapper only spares the local stack that.
"""

import os

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yearend.settings")
application = StaticFilesHandler(get_wsgi_application())
