"""``python -m chainatlas`` runs the command line."""

from chainatlas.cli import main

if __name__ == "__main__":
    main()
