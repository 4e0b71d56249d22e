"""What to do in an index run, and the records it writes.

``catalog`` reads the publication catalog; ``changes`` finds the PDFs, diffs them against
the index, allocates ids and decides retries; ``reread`` makes sure a re-read never loses
indexed pages; ``records`` turns page texts into publication, page and file records.
"""
