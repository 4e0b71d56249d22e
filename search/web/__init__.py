"""The local web page over the index (``pubsearch serve``): see :mod:`search.web.app`."""

from search.web.app import create_app

__all__ = ["create_app"]
