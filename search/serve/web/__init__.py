"""The local web page over the index (``pubsearch serve``): see :mod:`search.serve.web.app`."""

from search.serve.web.app import create_app

__all__ = ["create_app"]
