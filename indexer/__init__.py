"""pubsearch indexer: PDFs -> pages -> normalized text -> language -> Tantivy index.

Importing this package is cheap: pdfminer and langdetect are imported only by
:mod:`indexer.extraction.pdf` and :mod:`indexer.extraction.language`, which the search side never
loads.
"""
