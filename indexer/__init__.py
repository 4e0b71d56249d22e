"""pubsearch indexer: PDFs -> pages -> normalized text -> language -> Tantivy index.

Importing this package is cheap: pdfminer and langdetect are imported only by
:mod:`indexer.extract` and :mod:`indexer.language`, which the search side never loads.
"""
