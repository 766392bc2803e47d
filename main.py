"""`python main.py ...` from a checkout: the same command line as the installed `csbot` (bot/cli.py)."""

from bot.cli import main, make_app, run

__all__ = ["main", "make_app"]

if __name__ == "__main__":
    run()
