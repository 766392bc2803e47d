"""Policy questions within returns and exchanges: 七天无理由吗, 退货运费谁出, 拆封了还能退吗 are answered
from the shop's templates with an offer to start the request, instead of starting it.

The taxonomy rightly files such messages under `after_sales.return` / `after_sales.exchange`; what tells a
question from a request is the shop's data, read by handlers/topics.py as for the consultation area's
topics (scripts_zh/topics.yaml, section `after_sales`): a message is a question when it has a word of one
of its intent's topics, no order or case number, and none of the section's `request_words` (我要退,
帮我退). The first matching topic's template of scripts_zh/after_sales.yaml answers (one approved wording
per situation, docs/rules.md R-ANSWER-1), then the kind's offer (`policy_offer_<kind>`). The offer holds
for the next message only: an order number sent alone then starts that request (chat.order_number_alone);
any other message lets it go, so a bare number days later still asks for its parcel. Inside a dialogue
waiting for the order number (我要退货, then 运费谁出) the policy is answered and the number asked again
(dialogue.carry_on), the request's kind unchanged.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.errors import TemplateError
from bot.events import Reply
from bot.templates import spec
from handlers import topics
from handlers.topics import Choices, first_choice, template_choices, words_of

TOPICS_AREA = "after_sales"
REQUEST_WORDS = "request_words"
#: The intents with policy topics, and the request each one offers.
POLICY_KINDS = {"after_sales.return": "return", "after_sales.exchange": "exchange"}
#: The conversation state's key for the request offered by the last answer.
OFFERED = "after_sales_policy_offer"


def _checked(section: Any) -> dict:
    """The section (a mapping of `request_words` and the intents' topics, or None) as a mapping;
    TemplateError naming the entry when it has another shape."""
    section = {} if section is None else section
    if not isinstance(section, dict) or not set(section) <= {REQUEST_WORDS, *POLICY_KINDS}:
        raise TemplateError(f"topics.yaml: {TOPICS_AREA}: expected {REQUEST_WORDS} and topics of "
                            f"{', '.join(POLICY_KINDS)}")
    return section


def topics_of(section: Any, intent: str) -> Choices:
    return template_choices(_checked(section).get(intent), f"{TOPICS_AREA}.{intent}")


def request_words(section: Any) -> tuple[str, ...]:
    value = _checked(section).get(REQUEST_WORDS)
    return () if value is None else words_of(value, f"{TOPICS_AREA}.{REQUEST_WORDS}")


def policy_topics(section: Any) -> tuple[tuple[str, ...], dict[str, Choices]]:
    """The request words and each intent's topics (the section checked by `topic_templates`)."""
    return request_words(section), {intent: topics_of(section, intent) for intent in POLICY_KINDS}


def topic_templates(section: Any) -> list[str]:
    """Every policy topic's template key (the section checked, request words included)."""
    request_words(section)
    names = {name for intent in POLICY_KINDS for name, _ in topics_of(section, intent)}
    return [f"after_sales.{name}" for name in sorted(names)]


topics.register(TOPICS_AREA, topic_templates)

SCRIPTS = (
    *(spec(key) for key in topic_templates(topics.section(topics.SHIPPED, TOPICS_AREA))),
    *(spec(f"after_sales.policy_offer_{kind}") for kind in POLICY_KINDS.values()),
)


def topic(ctx: Context) -> str | None:
    """The template answering the message as a policy question of its intent, None when it is none
    (no topic word, a request word, or not a return/exchange message); numbers are the caller's."""
    if ctx.match.intent not in POLICY_KINDS:
        return None
    services = ctx.services
    words, by_intent = topics.area_data(services.settings.scripts_dir, TOPICS_AREA, services.templates,
                                        policy_topics)
    if any(word in ctx.text for word in words):
        return None
    name = first_choice(ctx.text, by_intent[ctx.match.intent])
    return f"after_sales.{name}" if name else None


def answer(ctx: Context, order_no: str | None, case_no: str | None) -> Reply | None:
    """The policy answer and the offer when the message is a policy question (the offer is remembered
    outside any flow only: another area's flow owns its state's data)."""
    key = topic(ctx) if not (order_no or case_no) else None
    if key is None:
        return None
    kind = POLICY_KINDS[ctx.match.intent]
    if ctx.state.flow is None:
        ctx.state.data[OFFERED] = kind
    return Reply.say(key).then(f"after_sales.policy_offer_{kind}")


def take_offer(ctx: Context) -> str | None:
    """The request offered by the previous answer (gone after this message), outside any flow."""
    return ctx.state.data.pop(OFFERED, None) if ctx.state.flow is None else None
