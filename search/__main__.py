"""``python -m search`` runs the ``pubsearch`` command."""

from search.client import main

if __name__ == "__main__":
    main()
