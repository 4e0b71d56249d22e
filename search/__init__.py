"""pubsearch search: read-only queries over a pubsearch index.

Importing this package (or :mod:`search.searcher`) never imports pdfminer or langdetect.
"""
