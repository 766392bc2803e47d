"""`python -m bot ...`, `python main.py ...` and the `csbot` script: the command line (bot/cli.py).

The command line is imported with the cyclic garbage collector paused: the import creates a few
hundred thousand objects that live as long as the process (modules, classes, the models' and the
endpoints' schemas), and the ~300 collections it would make meanwhile free nothing worth their CPU
(about a tenth of the import, paid by every process that starts the bot: docs/performance.md,
"Start-up, issues 11 and 13"). What the import leaves unreachable is collected by the first
collection after it.
"""

import gc

_collecting = gc.isenabled()
gc.disable()
try:
    from bot.cli import run
finally:
    if _collecting:
        gc.enable()

if __name__ == "__main__":
    run()
