"""pubsearch search: read-only queries over a pubsearch index.

Importing this package (or :mod:`search.results.hits`) never imports pdfminer or langdetect.
"""
