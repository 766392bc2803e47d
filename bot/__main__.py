"""`python -m bot ...`: the `csbot` command line (bot/cli.py)."""

from bot.cli import run

if __name__ == "__main__":
    run()
