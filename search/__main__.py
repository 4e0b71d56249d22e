"""``python -m search`` runs the ``pubsearch`` command."""

from search.cli import main

if __name__ == "__main__":
    main()
