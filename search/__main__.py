"""``python -m search`` runs the ``pubsearch`` command."""

from search.console import main

if __name__ == "__main__":
    main()
