"""The baseline for `make bench`: a bare Flask "hello", served exactly as the portal is."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello"
