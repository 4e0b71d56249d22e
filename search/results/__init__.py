"""Running queries and shaping what they find: ``planner`` (how a request is answered:
as typed, pages lacking words, a correction), ``hits`` (ranking and grouping page hits by
publication, facets, browsing), ``snippets``, ``pages`` (one page, the PDF),
``similar``, ``export`` (citation lists) and ``stats``.
"""
