"""The WSGI entry point: `gunicorn wsgi:app` and `flask --app wsgi ...`."""

from mortgage_connect import create_app

app = create_app()
