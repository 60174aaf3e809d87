import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
# Short database timeouts for web requests (settings.py, "Database timeouts").
os.environ.setdefault("NEWSROOM_DB_ROLE", "web")
application = get_wsgi_application()
