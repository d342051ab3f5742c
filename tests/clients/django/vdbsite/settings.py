"""A minimal Django project whose database is vdb (host and port from the
environment tests/clients/run sets): nothing else differs from a project
that talks to MariaDB directly."""
import os

SECRET_KEY = "vdb-clients-test"
DEBUG = False
USE_TZ = False
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "shop",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "HOST": "127.0.0.1",
        "PORT": os.environ["VDB_PORT"],
        "USER": os.environ["VDB_USER"],
        "PASSWORD": os.environ["VDB_PASS"],
        "NAME": os.environ.get("VDB_DB", "vdb_clients"),
        "OPTIONS": {"charset": "utf8mb4"},
        "TEST": {"NAME": "test_vdb_clients"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
