"""The index itself: ``schema`` (fields, analyzers, create/open: the only module that
defines the index), ``documents`` (records <-> Tantivy documents: the only code that names
fields), ``variants`` (bounded lookup terms), ``stopwords``, ``store`` (writes and commit
policy) and ``lock`` (one writer at a time).
"""
