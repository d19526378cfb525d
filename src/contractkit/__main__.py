"""``python -m contractkit``: the ``contractkit`` command, for an environment whose scripts are
not on the path."""

from contractkit.cli import main

if __name__ == "__main__":
    main()
