"""Serving: the web app (``web``), ``pubsearch daemon`` (``daemon``) and what the console
client and the daemon say to each other (``protocol``, standard library only).
"""
