"""The agent console's JSON API under `/api/agent/` and its live WebSocket (the page: bot/web/console_page.py).

Every console action is an endpoint here (and in `/api/openapi.json`); the page only calls these.
An agent sees the conversations they hold; supervisors and admins see all. Phone numbers are
masked (138****5678): the console never needs the full number.
"""

from __future__ import annotations

from aiohttp import web

from bot.runtime import RUNTIME
from bot.templates import spec
from bot.web.auth import AGENT, authenticate, require
from bot.web.jsonbody import bad_request, dumps, json_error, read_json
from bot.web.live import forward_events
from handlers.handoff.labels import reason_label, reason_labels
from handlers.handoff.metrics import get_metrics
from handlers.handoff.openapi import OPENAPI_PATHS
from handlers.handoff.service import HANDOFF, ForbiddenLanguage, Handoff
from handlers.handoff.views import conversation_json, message_json, supervisor_summary
from models.agent import PRESENCES, Agent
from models.conversation import Conversation
from models.handoff import HandoverNote
from models.message import Message

CANNED_KEYS = ("greeting", "checking", "more_help", "order_no", "thanks_wait", "sorry", "goodbye")
SCRIPTS = tuple(spec(f"canned.{key}", "agent_name") for key in CANNED_KEYS)
SUPERVISORS = ("supervisor", "admin")
NICKNAME_MAX = 32


def handoff_of(request: web.Request) -> Handoff:
    return request.app[RUNTIME].services[HANDOFF]


async def conversation_for(request: web.Request, *, queued_ok: bool = False) -> Conversation:
    """The conversation in the path, if this agent may act on it (403 otherwise, 404 if absent)."""
    try:
        conversation_id = int(request.match_info["conversation_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    conversation = await Conversation.get_or_none(id=conversation_id)
    if conversation is None:
        raise json_error(web.HTTPNotFound, "no such conversation")
    agent = request[AGENT]
    if agent.role in SUPERVISORS or conversation.assignee_id == agent.id:
        return conversation
    if queued_ok and conversation.status == "queued":
        return conversation
    raise json_error(web.HTTPForbidden, "this conversation is held by someone else")


@require()
async def post_presence(request: web.Request) -> web.Response:
    body = await read_json(request, {"presence": str})
    if body["presence"] not in PRESENCES:
        raise bad_request(f"presence must be one of {', '.join(PRESENCES)}")
    agent = request[AGENT]
    await handoff_of(request).set_presence(agent, body["presence"])
    return web.json_response({"agent": agent_json(agent)}, dumps=dumps)


def agent_json(agent: Agent) -> dict[str, object]:
    return {"id": agent.id, "name": agent.name, "display_name": agent.display_name, "presence": agent.presence}


@require()
async def post_typing(request: web.Request) -> web.Response:
    """The agent is typing (or otherwise at the console): proof of presence, `away` becomes `online`."""
    agent = request[AGENT]
    await handoff_of(request).touch(agent)
    return web.json_response({"agent": agent_json(agent)}, dumps=dumps)


@require()
async def post_profile(request: web.Request) -> web.Response:
    """Set the 昵称 customers see (the login name stays internal)."""
    body = await read_json(request, {"display_name": str})
    name = body["display_name"].strip()
    if not name or len(name) > NICKNAME_MAX:
        raise bad_request(f"display_name must be 1 to {NICKNAME_MAX} characters")
    agent = request[AGENT]
    agent.display_name = name
    await agent.save(update_fields=["display_name"])
    return web.json_response({"agent": agent_json(agent)}, dumps=dumps)


@require()
async def get_labels(request: web.Request) -> web.Response:
    """Reason codes in Chinese, for every code the console may show (see handlers/handoff/labels.py)."""
    templates = request.app[RUNTIME].templates
    return web.json_response({"reasons": reason_labels(templates), "default": reason_label(templates, None)},
                             dumps=dumps)


@require()
async def get_queue(request: web.Request) -> web.Response:
    queued = await handoff_of(request).queue.waiting()
    items = []
    for position, conversation in enumerate(queued, 1):
        item = await conversation_json(conversation, request.app[RUNTIME])
        items.append(
            {
                "conversation_id": conversation.id,
                "customer": item["customer"],
                "position": position,
                "reason": conversation.escalation_reason,
                "reason_label": item["reason_label"],
                "waiting_since": conversation.queued_at.timestamp() if conversation.queued_at else None,
            }
        )
    return web.json_response({"queue": items, "now": request.app[RUNTIME].clock.time()}, dumps=dumps)


@require()
async def get_conversations(request: web.Request) -> web.Response:
    agent = request[AGENT]
    held = Conversation.filter(status="handoff")
    if agent.role not in SUPERVISORS:
        held = held.filter(assignee_id=agent.id)
    items = [await conversation_json(c, request.app[RUNTIME]) for c in await held.order_by("assigned_at")]
    return web.json_response({"conversations": items, "now": request.app[RUNTIME].clock.time()}, dumps=dumps)


@require()
async def get_conversation(request: web.Request) -> web.Response:
    conversation = await conversation_for(request)
    messages = await Message.filter(conversation_id=conversation.id).order_by("created_at", "id")
    notes = await HandoverNote.filter(conversation_id=conversation.id).order_by("created_at").prefetch_related("author")
    return web.json_response(
        {
            "conversation": await conversation_json(conversation, request.app[RUNTIME]),
            "messages": [message_json(m) for m in messages],
            "notes": [
                {
                    "author": n.author.name,
                    "open_questions": n.open_questions,
                    "pending": n.pending,
                    "created_at": n.created_at.timestamp(),
                }
                for n in notes
            ],
            "now": request.app[RUNTIME].clock.time(),
        },
        dumps=dumps,
    )


@require()
async def post_take(request: web.Request) -> web.Response:
    conversation = await conversation_for(request, queued_ok=True)
    if not await handoff_of(request).take(conversation, request[AGENT]):
        raise json_error(web.HTTPConflict, "already taken, or you are at capacity")
    return web.json_response(
        {"conversation": await conversation_json(conversation, request.app[RUNTIME])}, dumps=dumps
    )


@require()
async def post_message(request: web.Request) -> web.Response:
    await handoff_of(request).touch(request[AGENT])  # even refused, the attempt proves presence
    conversation = await conversation_for(request)
    body = await read_json(request, {"text": str})
    if conversation.status != "handoff":
        raise json_error(web.HTTPConflict, "the conversation is not held by a person")
    try:
        parts = await handoff_of(request).agent_message(
            conversation, request[AGENT], body["text"], confirm=body.get("confirm") is True
        )
    except ForbiddenLanguage as exc:
        raise json_error(web.HTTPConflict, "forbidden_language", phrases=exc.phrases) from None
    return web.json_response({"sent": parts}, dumps=dumps)


@require()
async def post_hand_back(request: web.Request) -> web.Response:
    conversation = await conversation_for(request)
    if conversation.status != "handoff":
        raise json_error(web.HTTPConflict, "the conversation is not held by a person")
    await handoff_of(request).hand_back(conversation, request[AGENT])
    return web.json_response({"ok": True})


@require()
async def post_transfer(request: web.Request) -> web.Response:
    conversation = await conversation_for(request)
    body = await read_json(request)
    note = body.get("note") if isinstance(body.get("note"), str) else ""
    if body.get("to_supervisor") is True:
        target = await Agent.filter(role__in=SUPERVISORS, presence="online").exclude(id=request[AGENT].id).first()
    elif isinstance(body.get("to_agent_id"), int):
        target = await Agent.get_or_none(id=body["to_agent_id"], presence__in=("online", "away"))
    else:
        raise bad_request("give to_agent_id or to_supervisor")
    if target is None or target.id == conversation.assignee_id:
        raise json_error(web.HTTPConflict, "nobody available to take it; it stays with you")
    if not await handoff_of(request).transfer(conversation, request[AGENT], target, note):
        raise json_error(web.HTTPConflict, f"{target.name} is at capacity; it stays with you")
    return web.json_response(
        {"conversation": await conversation_json(conversation, request.app[RUNTIME])}, dumps=dumps
    )


@require()
async def post_note(request: web.Request) -> web.Response:
    conversation = await conversation_for(request)
    body = await read_json(request)
    questions, pending = body.get("open_questions", ""), body.get("pending", "")
    if not isinstance(questions, str) or not isinstance(pending, str) or not (questions.strip() or pending.strip()):
        raise bad_request("open_questions or pending is required")
    note = await HandoverNote.create(
        conversation=conversation,
        author=request[AGENT],
        open_questions=questions,
        pending=pending,
        created_at=request.app[RUNTIME].clock.now(),
    )
    return web.json_response({"note": {"id": note.id}}, status=201)


@require()
async def get_canned(request: web.Request) -> web.Response:
    templates = request.app[RUNTIME].templates
    fields = {"agent_name": handoff_of(request).nickname(request[AGENT])}
    replies = [
        {
            "key": key,
            "title": templates.render(f"canned.{key}", fields)[:12],
            "text": templates.render(f"canned.{key}", fields),
        }
        for key in CANNED_KEYS
    ]
    return web.json_response({"replies": replies}, dumps=dumps)


@require()
async def get_agents(request: web.Request) -> web.Response:
    loads = await handoff_of(request).queue.loads()
    agents = [
        {
            "id": a.id,
            "name": a.name,
            "display_name": a.display_name,
            "role": a.role,
            "presence": a.presence,
            "load": loads[a.id],
            "capacity": a.capacity,
        }
        for a in await Agent.all().order_by("name")
    ]
    return web.json_response({"agents": agents}, dumps=dumps)


@require(*SUPERVISORS)
async def get_supervisor(request: web.Request) -> web.Response:
    return web.json_response(await supervisor_summary(request.app[RUNTIME]), dumps=dumps)


async def agent_socket(request: web.Request) -> web.WebSocketResponse:
    agent = await authenticate(request)
    if agent is None:
        raise web.HTTPUnauthorized(text="log in first")
    return await forward_events(request, request.app[RUNTIME].store, f"agent:{agent.id}", "console")


BASE = "/api/agent/conversations/{conversation_id}"
ROUTES = [
    web.get("/ws/agent", agent_socket),
    web.post("/api/agent/presence", post_presence),
    web.post("/api/agent/typing", post_typing),
    web.post("/api/agent/profile", post_profile),
    web.get("/api/agent/labels", get_labels),
    web.get("/api/agent/queue", get_queue),
    web.get("/api/agent/conversations", get_conversations),
    web.get(BASE, get_conversation),
    web.post(f"{BASE}/take", post_take),
    web.post(f"{BASE}/messages", post_message),
    web.post(f"{BASE}/hand-back", post_hand_back),
    web.post(f"{BASE}/transfer", post_transfer),
    web.post(f"{BASE}/notes", post_note),
    web.get("/api/agent/canned", get_canned),
    web.get("/api/agent/agents", get_agents),
    web.get("/api/agent/supervisor", get_supervisor),
    web.get("/metrics", get_metrics),
]
__all__ = ["OPENAPI_PATHS", "ROUTES", "SCRIPTS"]
