"""Which handlers a message's routes offer, and in which order: flows, every-message hooks, events, media,
intents; within a kind in registration order, a parent router's before its children's."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from bot.events import Inbound
from bot.intents import IntentMatch
from bot.router import ROUTE_ORDER, Route, Router
from bot.state import ConversationState
from handlers import ROUTERS

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def wants(route: Route, ctx: SimpleNamespace) -> bool:
    """The rule each route kind states, asked route by route (what the router's index must give)."""
    inbound = ctx.inbound
    if route.kind == "flow":
        return ctx.state.flow in route.names
    if route.kind == "any":
        return True
    if route.kind == "event":
        return inbound.kind == "event" and (inbound.event or "").lower() in route.names
    if route.kind == "media":
        return inbound.kind in route.names
    return inbound.kind == "text" and ctx.match.intent in route.names


def expected(router: Router, ctx: SimpleNamespace) -> list:
    ordered = [route for kind in ROUTE_ORDER for route in router.routes() if route.kind == kind]
    return [route.handler for route in ordered if wants(route, ctx)]


def context(kind: str = "text", intent: str = "greeting", flow: str | None = None, event: str | None = None):
    state = ConversationState()
    if flow:
        state.start_flow(flow)
    inbound = Inbound(channel="wechat", user_id="u", kind=kind, received_at=NOW, text="你好" if kind == "text" else "",
                      event=event)
    return SimpleNamespace(inbound=inbound, match=IntentMatch(intent, 0.9, None, None, intent), state=state)


def handler(name: str):
    async def handle(ctx) -> None:
        return None

    handle.__qualname__ = name
    return handle


def mixed_tree() -> tuple[Router, dict]:
    root, child, grandchild = Router("root"), Router("child"), Router("grandchild")
    handlers = {name: handler(name) for name in (
        "r_intent_a", "r_flow_x", "r_any", "r_event_sub", "r_media_image", "r_intent_ab",
        "c_intent_a", "c_flow_xy", "c_any", "c_event_sub", "c_media_image_voice", "g_intent_b", "g_flow_x")}
    root.intent("a")(handlers["r_intent_a"])
    root.flow("x")(handlers["r_flow_x"])
    root.every_message()(handlers["r_any"])
    root.event("Subscribe")(handlers["r_event_sub"])
    root.media("image")(handlers["r_media_image"])
    root.intent("a", "b")(handlers["r_intent_ab"])
    root.include_router(child)
    child.intent("a")(handlers["c_intent_a"])
    child.flow("x", "y")(handlers["c_flow_xy"])
    child.every_message()(handlers["c_any"])
    child.event("subscribe")(handlers["c_event_sub"])
    child.media("image", "voice")(handlers["c_media_image_voice"])
    child.include_router(grandchild)
    grandchild.intent("b")(handlers["g_intent_b"])
    grandchild.flow("x")(handlers["g_flow_x"])
    return root, handlers


def names(handlers: list) -> list[str]:
    return [h.__qualname__ for h in handlers]


def test_candidates_come_by_kind_then_registration_order_parents_first() -> None:
    root, _ = mixed_tree()
    assert names(list(root.candidates(context(intent="a", flow="x")))) == [
        "r_flow_x", "c_flow_xy", "g_flow_x", "r_any", "c_any", "r_intent_a", "r_intent_ab", "c_intent_a"]
    assert names(list(root.candidates(context(intent="b", flow="y")))) == [
        "c_flow_xy", "r_any", "c_any", "r_intent_ab", "g_intent_b"]
    assert names(list(root.candidates(context(kind="event", event="SUBSCRIBE", intent="a")))) == [
        "r_any", "c_any", "r_event_sub", "c_event_sub"]
    assert names(list(root.candidates(context(kind="voice", intent="a")))) == ["r_any", "c_any", "c_media_image_voice"]
    assert names(list(root.candidates(context(kind="event", event=None)))) == ["r_any", "c_any"]


def test_candidates_are_what_each_route_wants_on_many_messages() -> None:
    root, _ = mixed_tree()
    for kind in ("text", "image", "voice", "event", "location"):
        for intent in ("a", "b", "c"):
            for flow in (None, "x", "y", "z"):
                for event in (None, "subscribe", "Subscribe", "click"):
                    ctx = context(kind, intent, flow, event)
                    assert list(root.candidates(ctx)) == expected(root, ctx), (kind, intent, flow, event)


def test_a_flow_ended_by_a_handler_is_not_offered_to_the_next_flow_handler() -> None:
    root, handlers = mixed_tree()
    ctx = context(intent="a", flow="x")
    offered = []
    for candidate in root.candidates(ctx):
        offered.append(candidate.__qualname__)
        if candidate is handlers["r_flow_x"]:
            ctx.state.end_flow()  # and returns None: the dispatcher asks the next candidate
    assert offered == ["r_flow_x", "r_any", "c_any", "r_intent_a", "r_intent_ab", "c_intent_a"]


def test_the_shops_routes_offer_what_each_route_wants() -> None:
    root = Router("shop")
    for router in ROUTERS:
        root.include_router(router)
    routes = list(root.routes())
    intents = {name for route in routes if route.kind == "intent" for name in route.names} | {"unknown"}
    flows = [None, *{name for route in routes if route.kind == "flow" for name in route.names}]
    events = [None, "nope", *{name for route in routes if route.kind == "event" for name in route.names}]
    media = {name for route in routes if route.kind == "media" for name in route.names} | {"text", "event", "video"}
    assert len(intents) > 10 and len(flows) > 3
    for flow in flows:
        for intent in intents:
            ctx = context("text", intent, flow)
            assert list(root.candidates(ctx)) == expected(root, ctx), (flow, intent)
        for kind in media:
            for event in events:
                ctx = context(kind, "greeting", flow, event.upper() if event else event)
                assert list(root.candidates(ctx)) == expected(root, ctx), (flow, kind, event)
