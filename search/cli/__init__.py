"""The ``pubsearch`` command line: thin click commands that parse options, call
:mod:`search.api` and render with :mod:`search.render`. ``main`` holds the group and its one
error handler; the commands load per use (``index_commands``, ``search_commands``,
``saved_commands``, ``serve_commands``); ``options`` are shared; ``progress`` draws the
indexing progress.
"""
