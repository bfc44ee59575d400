import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conversations.devtools.bare_app.settings")
application = get_wsgi_application()
