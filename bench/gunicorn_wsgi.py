"""WSGI entry point for measuring the site under gunicorn with production settings, without
writing collected static files into the checkout (config.settings puts STATIC_ROOT there).

    BENCH_STATIC_ROOT=/tmp/vmeste-static DATABASE_URL=... SECRET_KEY=bench HTTPS=0 \\
        .venv/bin/gunicorn --pythonpath bench gunicorn_wsgi --preload --workers 3 \
            --bind 127.0.0.1:8000

On first start it runs `collectstatic` into BENCH_STATIC_ROOT (hashed names and a manifest, as
whitenoise serves them in production). Everything else is config.wsgi unchanged.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

static_root = Path(os.environ.get("BENCH_STATIC_ROOT", "/tmp/vmeste-bench-static"))
settings.STATIC_ROOT = static_root
django.setup()

if not (static_root / "staticfiles.json").exists():
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
