"""Business handlers, in priority order, and the templates they use (for `lint-scripts`)."""

from handlers import after_sales, consultation, handoff, referral

ROUTERS = (handoff.router, after_sales.router, referral.router, consultation.router)
SCRIPTS = (*handoff.SCRIPTS, *after_sales.SCRIPTS, *referral.SCRIPTS, *consultation.SCRIPTS)
