"""`python -m cli` is the `shopassist` command."""

from cli import main

main()
