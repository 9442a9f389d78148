from django.core.wsgi import get_wsgi_application

from config.settings import use_default_settings

use_default_settings()  # production unless DJANGO_SETTINGS_MODULE says otherwise
application = get_wsgi_application()
