from .base import *

DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "*")
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", "plain")
