"""Typed JSON endpoints: one declaration gives the route, its validation, its answer and its OpenAPI.

An area declares each JSON endpoint with `@endpoint(...)`: the request body and query string as
pydantic models, the response as a model (or any type pydantic can describe), the roles allowed.
The wrapper reads and validates the input (400 naming the field otherwise), checks the login and
role, and writes the handler's return value as JSON with ISO-8601 timestamps. Every error, here or
raised by a handler as `ApiError`, has one shape: `{"error": {"code": ..., "message": ...}}`.
`bot/web/openapi.py` builds the OpenAPI document from the same declarations, so the document cannot
drift from what the server accepts.

    class NoteIn(BaseModel):
        text: str = Field(min_length=1, max_length=500)

    @endpoint("POST", "/api/things/{thing_id}/notes", body=NoteIn, response=NoteOut,
              summary="Add a note to a thing", roles=("supervisor",), errors={404: "no such thing"})
    async def add_note(request: web.Request, body: NoteIn) -> NoteOut: ...

The handler receives `body` and/or `query` as keyword arguments when declared; `request[AGENT]` is
the logged-in staff member unless the endpoint is `public`. Returning a `web.StreamResponse` passes
it through unchanged (files, redirects).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError

from bot.web.auth import require
from bot.web.jsonbody import check_storable
from bot.web.problems import ApiError, dumps, error_response

SCHEMA_REF = "#/components/schemas/{model}"

__all__ = ["ApiError", "Endpoint", "endpoint", "error_response", "openapi", "routes"]


def _first_problem(exc: ValidationError, where: str) -> str:
    problem = exc.errors(include_url=False)[0]
    location = ".".join(str(part) for part in problem["loc"]) or where
    return f"{where} {location}: {problem['msg']}"


async def _read_body(request: web.Request, model: type[BaseModel]) -> BaseModel:
    if not request.body_exists:
        raw = {}  # no body at all: valid when the model needs no field, else the missing field is named
    else:
        raw = await _parse(request)
    if not isinstance(raw, dict):
        raise ApiError(400, "invalid_body", "body must be a JSON object")
    check_storable(raw)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ApiError(400, "invalid_body", _first_problem(exc, "body")) from None


async def _parse(request: web.Request) -> Any:
    try:
        return await request.json()
    except (ValueError, UnicodeDecodeError):  # not JSON, or an integer over Python's 4,300 digits
        raise ApiError(400, "invalid_body", "body must be JSON") from None
    except RecursionError:
        raise ApiError(400, "invalid_body", "body is nested too deeply") from None


def _read_query(request: web.Request, model: type[BaseModel]) -> BaseModel:
    raw = {name: request.query.getall(name) if len(request.query.getall(name)) > 1 else value
           for name, value in request.query.items()}
    check_storable(raw)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ApiError(400, "invalid_query", _first_problem(exc, "query")) from None


@dataclass(frozen=True)
class Endpoint:
    """One declared JSON endpoint: enough to route it and to describe it in OpenAPI."""

    method: str
    path: str
    summary: str
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    roles: tuple[str, ...] = ()
    public: bool = False
    errors: Mapping[int, str] = field(default_factory=dict)
    tag: str | None = None
    security: tuple[Mapping[str, list[str]], ...] | None = None
    form: type[BaseModel] | None = None

    @property
    def route(self) -> web.RouteDef:
        return web.route(self.method, self.path, self.handler)


def endpoint(
    method: str, path: str, *, summary: str, body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None, response: Any = None, status: int = 200,
    roles: Iterable[str] = (), public: bool = False, errors: Mapping[int, str] | None = None,
    tag: str | None = None, before: Callable[[web.Request], Awaitable[None]] | None = None,
    security: Iterable[Mapping[str, list[str]]] | None = None, form: type[BaseModel] | None = None,
) -> Callable[[Callable[..., Awaitable[Any]]], Endpoint]:
    """Declare a typed JSON endpoint (see the module docstring).

    `before` runs ahead of reading the input, for a public endpoint's own proof of identity (the web
    chat's visitor token), so a stranger hears 401 rather than what is wrong with their body;
    `security` names its OpenAPI security requirement. `form` documents a multipart body the handler
    reads itself as a stream (uploads); it is not parsed here.
    """
    adapter = TypeAdapter(response) if response is not None else None

    def decorate(handler: Callable[..., Awaitable[Any]]) -> Endpoint:
        accepts = inspect.signature(handler).parameters

        async def serve(request: web.Request) -> web.StreamResponse:
            if before is not None:
                await before(request)
            kwargs: dict[str, Any] = {}
            if query is not None:
                kwargs["query"] = _read_query(request, query)
            if body is not None:
                kwargs["body"] = await _read_body(request, body)
            result = await handler(request, **{k: v for k, v in kwargs.items() if k in accepts})
            if isinstance(result, web.StreamResponse):
                return result
            if status == 204:
                return web.Response(status=204)
            payload = adapter.dump_python(result, mode="json") if adapter is not None else result
            return web.json_response(payload, status=status, dumps=dumps)

        guarded = serve if public else require(*roles)(serve)
        functools.update_wrapper(guarded, handler)
        return Endpoint(method.upper(), path, summary, guarded, body, query, response, status, tuple(roles),
                        public, dict(errors or {}), tag, tuple(security) if security is not None else None, form)

    return decorate


#: Database ids are 32-bit: a larger one names nothing.
MAX_ID = 2**31 - 1


def path_id(request: web.Request, name: str, missing: str) -> int:
    """The numeric id in the path segment `name`; anything else (signs, other digits such as "²", too
    long) names nothing: 404 with the error code `missing`, never a 500."""
    raw = request.match_info[name]
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 10 else 0
    if not 1 <= value <= MAX_ID:
        raise ApiError(404, missing, f"no such {name.removesuffix('_id')}")
    return value


def routes(endpoints: Iterable[Endpoint]) -> list[web.RouteDef]:
    return [item.route for item in endpoints]


def _schema(kind: Any, components: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of `kind`, its nested models moved to `components` and referenced."""
    schema = TypeAdapter(kind).json_schema(ref_template=SCHEMA_REF, mode="serialization")
    components.update(schema.pop("$defs", {}))
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        components[kind.__name__] = schema
        return {"$ref": SCHEMA_REF.format(model=kind.__name__)}
    return schema


def _path_names(path: str) -> list[str]:
    names = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            names.append(part[1:-1].split(":")[0])
    return names


def openapi(endpoints: Iterable[Endpoint]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(paths, component schemas) describing `endpoints` in OpenAPI 3.1."""
    paths: dict[str, Any] = {}
    components: dict[str, Any] = {}
    for item in endpoints:
        error_ref = {"content": {"application/json": {"schema": {"$ref": SCHEMA_REF.format(model="Error")}}}}
        responses: dict[str, Any] = {}
        if item.status == 204:
            responses["204"] = {"description": "done"}
        else:
            success: dict[str, Any] = {"description": "ok"}
            if item.response is not None:
                success["content"] = {"application/json": {"schema": _schema(item.response, components)}}
            responses[str(item.status)] = success
        problems = dict(item.errors)
        if item.body is not None or item.query is not None:
            problems.setdefault(400, "invalid input (error.code invalid_body or invalid_query)")
        if not item.public:
            problems.setdefault(401, "not logged in")
            if item.roles:
                problems.setdefault(403, f"needs role {' or '.join(item.roles)}")
        for status_code, description in sorted(problems.items()):
            responses[str(status_code)] = {"description": description, **error_ref}
        operation: dict[str, Any] = {"summary": item.summary, "responses": responses}
        if item.tag:
            operation["tags"] = [item.tag]
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                      for name in _path_names(item.path)]
        if item.query is not None:
            schema = item.query.model_json_schema(ref_template=SCHEMA_REF)
            components.update(schema.pop("$defs", {}))
            required = set(schema.get("required", ()))
            for name, prop in schema.get("properties", {}).items():
                parameters.append({"name": name, "in": "query", "required": name in required, "schema": prop})
        if parameters:
            operation["parameters"] = parameters
        if item.body is not None:
            needed = bool(item.body.model_json_schema().get("required"))  # else an empty body will do
            operation["requestBody"] = {"required": needed, "content": {"application/json": {
                "schema": _schema(item.body, components)}}}
        if item.form is not None:
            operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {
                "schema": _schema(item.form, components)}}}
        if item.security is not None:
            operation["security"] = list(item.security)
        elif item.public:
            operation["security"] = []
        paths.setdefault(item.path, {})[item.method.lower()] = operation
    components["Error"] = ERROR_SCHEMA
    return paths, components


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "description": "stable, machine-readable; labelled in Chinese by the console"},
        "message": {"type": "string", "description": "short English explanation for developers"},
        "phrases": {"type": "array", "items": {"type": "string"},
                    "description": "forbidden_language: the phrases to take out"},
        "allowed": {"type": "array", "items": {"type": "string"},
                    "description": "a refused case step: the steps allowed from here"},
    }}},
}
