"""Business areas, in routing priority order (docs/rules.md R-ANSWER-5: human > complaint > after-sales > the rest)."""

from bot.extension import Extension
from handlers import after_sales, archive, callbacks, complaints, consultation, handoff, referral, reports, teaching

EXTENSIONS: tuple[Extension, ...] = (
    complaints.extension,  # before handoff: its `complaint` intent starts the dialogue (R-COMPLAINT-1)
    handoff.extension,
    after_sales.extension,
    callbacks.extension,
    referral.extension,
    consultation.extension,
    teaching.extension,
    reports.extension,
    archive.extension,
)
ROUTERS = tuple(extension.router for extension in EXTENSIONS if extension.router is not None)
SCRIPTS = tuple(script for extension in EXTENSIONS for script in extension.scripts)
