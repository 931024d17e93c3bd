"""The ceiling of the stack: a Flask app that returns a fixed small page, nothing else."""

from flask import Flask

PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Minimal</title></head>'
    "<body><main><h1>Minimal</h1><p>A fixed small page.</p></main></body></html>"
)

app = Flask(__name__)


@app.get("/")
def index():
    """The same few hundred bytes on every request."""
    return PAGE
