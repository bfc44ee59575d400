"""`DEBUG=false make run`: the product as production serves it, from the same checkout."""

import json
import os
import subprocess
import sys

from django.conf import settings

# The admin's stylesheet and Swagger UI's script (/api/docs/) as a browser asks for them.
STATIC_FILES = ["admin/css/base.css", "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"]
FETCH = f"""
import json, django
django.setup()
from django.test import Client
print(json.dumps([Client().get("/static/" + path).status_code for path in {STATIC_FILES!r}]))
"""


def test_without_debug_the_admin_and_the_api_docs_get_their_static_files_without_collectstatic(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DEBUG="false",
        SECRET_KEY="contract-test",
        DJANGO_SETTINGS_MODULE="mortgage_sms.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    answer = subprocess.run(
        [sys.executable, "-c", FETCH],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout.splitlines()[-1]) == [200, 200]
