"""From query text to a Tantivy query: ``syntax`` (text -> AST), ``request`` (checked
options / URL parameters), ``expansions`` (bounded lookups of inflections, compounds,
diacritics), ``compile`` (AST -> tantivy.Query) and ``suggest`` (did-you-mean). Nothing here
runs a search for results.
"""
