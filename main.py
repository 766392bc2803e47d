"""`python main.py ...` from a checkout: the same command line as the installed `csbot` (bot/cli.py),
imported as bot/__main__.py imports it."""

from bot.__main__ import run
from bot.cli import main, make_app

__all__ = ["main", "make_app"]

if __name__ == "__main__":
    run()
