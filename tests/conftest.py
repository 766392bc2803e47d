"""Fixtures shared by every test: the fake clock, the external services, the stores, the browser.

The running bot: `bot` is the real application on a real socket with its own SQLite file and the
test's `clock`. A module changes its settings by overriding `bot_settings`, stops the scheduler's
ticker (for tests that fire deadlines themselves) with `bot_ticker` returning False, and adds
records by overriding `bot` itself (`async def bot(bot): ...; return bot`).

Markers (registered in pyproject.toml) are set here from what a test uses, so `-m "not browser"`
or `-m "not postgres and not redis"` select without anyone remembering to mark: `redis` for a test
using `redis_url` or the Redis store backend, `postgres` for `postgres_url` or a "postgres" parameter, `browser` for the
session's Chromium (`browser`).

Shared so that a test pays only for what is its own (use these in new test files):
- `matcher`: the shop's intent matcher, a `fork()` of the one the process builds once (a runtime
  gets the same); threshold and teaching stay the test's.
- `make_settings(tmp_path)` (tests/fakes/bot_app.py): the test's SQLite file is a copy of the run's
  schema (made once per run by the first xdist worker needing it: tests/run_shared.py), opened
  without a schema pass as `serve`'s workers do.
- `scripts_with(tmp_path, templates)` (tests/fakes/wechat_user.py): one scripts copy per template set.
- `migrated_postgres_url`: a test's own PostgreSQL database, migrated and empty (copied from one
  migrated per run, or emptied after an earlier test of the worker);
  `fresh_postgres_url` is empty, for tests of migrating. `database_url` runs a test on both
  databases: a SQLite file, then a migrated PostgreSQL database.
- `browser`: one Chromium per run (per xdist worker; under `load`, only half the workers get browser
  tests, told by their `*_browser.py` file: tests/browser_workers.py); `open_page` gives each page a context of its own
  (kept open between tests, cleared, never shown the same origin twice: tests/browser.py).
- `csbot`: the command line run in this process (`csbot(*args, env=...)`, `await csbot.run_async(...)`
  beside a running bot): a new interpreter costs about three seconds of CPU (imports, jieba, the
  matcher) and proves nothing more; real processes are kept where the process is what is tested
  (test_cli.py's Ctrl-C, test_packaging.py's script, test_serve_supervision.py).
- `open_stores`/`store`: both store backends, Redis under a key prefix of the test's own.
Channel scenarios are written once and parametrised by channel (test_after_sales_channels.py).
`bash .ci/test.sh` runs on two xdist workers per core: nothing here may depend on another test's
state or on test order.

Services come from `TEST_REDIS_URL` and `TEST_POSTGRES_URL` (`bash .ci/test.sh` sets both and
starts the servers). A test needing a service that does not answer is skipped on a developer's
machine, and fails when `CI` is set, so that CI never passes by silently skipping a backend.
Add new fixtures under the section they belong to, or start a new section.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest
import pytest_asyncio

from tests.browser_workers import BrowserTestsOnSomeWorkers, refuse_browser_outside_browser_files
from tests.databases import database_name, drop_database, drop_leftover_databases, new_database, url_of
from tests.redis_keys import delete_leftover_keys, delete_run_keys, run_key_prefix
from tests.run_shared import RUN_DIRECTORY, finish_run, made_once, run_owner, start_run

# The bot, Playwright and Redis are imported by the fixtures that use them, not here: `bash .ci/test.sh`
# runs pytest-xdist, whose controlling process loads this file too but runs no test (two seconds of
# CPU for nothing); each worker imports them with the first test module anyway.
if TYPE_CHECKING:
    from playwright.async_api import Browser

    from bot.clock import FakeClock
    from bot.intents import IntentMatcher
    from bot.store.base import Store
    from tests.command_line import CommandLine
    from tests.fakes.bot_app import RunningBot
    from tests.redis_server import RedisServer

# --- markers ---

MARKED_BY_FIXTURE = {"redis_url": "redis", "postgres_url": "postgres", "browser": "browser"}

# Modules whose tests start the bot in other processes (seconds to tens of seconds each), longest
# first: they run before the rest, so that xdist hands out the many short tests last and no worker is
# left alone with a long one at the end of the run (`.ci/test.sh` has xdist hand tests out two at a
# time, so the long ones spread over the workers instead of all going to the first).
STARTED_FIRST = (
    "test_api_fuzz.py",
    "test_serve_supervision.py",
    "test_callbacks_figures.py",
    "test_reports.py",
    "test_cli.py",
    "test_packaging.py",
)


#: Where among the other tests the browser tests go: spread evenly over this first share of them, so
#: that the run ends with short tests.
BROWSER_SPREAD = 0.9


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items[:] = _in_running_order(items)
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, marker in MARKED_BY_FIXTURE.items():
            if fixture in names:
                item.add_marker(marker)
        # a backend chosen by a parameter and fetched with `request.getfixturevalue` is not in the
        # fixture closure: the parameter names it
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("store_backend") == "redis":
            item.add_marker("redis")
        if "postgres" in params.values():
            item.add_marker("postgres")


def _in_running_order(items: list[pytest.Item]) -> list[pytest.Item]:
    """The modules in STARTED_FIRST first (longest first), then the rest with the browser tests spread
    evenly among the others instead of one module after another.

    A browser test spends most of its seconds waiting for Chromium's timers and drawing, about a tenth
    of them on its own CPU; in file order xdist handed the workers the consecutive browser modules
    together (test_complaints_browser.py to test_console_modules_browser.py, then the 24 tests of
    test_webchat_browser.py), so for stretches of 15-30 s every worker was waiting at once and the two
    cores were partly idle. Spread out, a browser test's wait overlaps the other workers' computing.
    Nothing here depends on order (no module-scoped fixture outside STARTED_FIRST)."""
    rank = {name: position for position, name in enumerate(STARTED_FIRST)}
    first = sorted((item for item in items if item.path.name in rank), key=lambda item: rank[item.path.name])
    rest = [item for item in items if item.path.name not in rank]
    browser = [item for item in rest if "browser" in getattr(item, "fixturenames", ())]
    others = [item for item in rest if "browser" not in getattr(item, "fixturenames", ())]
    place = {id(item): position / max(len(others), 1) for position, item in enumerate(others)}
    place.update({id(item): BROWSER_SPREAD * (position + 0.5) / len(browser) for position, item in enumerate(browser)})
    return first + sorted(rest, key=lambda item: place[id(item)])


# --- xdist's scheduling ---


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture of the test is set up (tryfirst), so that no Chromium starts for a test the
    scheduler took for an ordinary one."""
    refuse_browser_outside_browser_files(item)


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`load` (what `bash .ci/test.sh` uses), with the browser tests on half the workers only: one
    Chromium per such worker instead of one per worker (tests/browser_workers.py)."""
    if config.getvalue("dist") != "load":
        return None
    return BrowserTestsOnSomeWorkers(config, log)


# --- the event loop runner ---


def _interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


def pytest_configure(config: pytest.Config) -> None:
    """The run's shared directory, made by the process that owns the run (tests/run_shared.py); xdist's
    workers, started after this, find it in the environment. Then the SIGINT handler, below."""
    if not hasattr(config, "workerinput"):
        start_run()
        _drop_leftover_databases()
        _on_test_redis(delete_leftover_keys)
    _handle_sigint()


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput") and RUN_DIRECTORY in os.environ:
        url = os.environ.get("TEST_POSTGRES_URL", "")
        owner = run_owner()
        try:
            finish_run(lambda: asyncio.run(drop_database(url, database_name("schema"))))
        finally:
            _on_test_redis(lambda redis_url: delete_run_keys(redis_url, owner))


def _on_test_redis(clean: Callable[[str], object]) -> None:
    """Delete test keys on the test Redis (tests/redis_keys.py); nothing when it does not answer (the
    tests needing it say so)."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        import redis

        try:
            clean(url)
        except (redis.RedisError, OSError, ValueError):  # no server; a bad URL (ValueError: no scheme)
            pass


def _drop_leftover_databases() -> None:
    """What killed runs left on the test server (tests/databases.py); nothing when it does not answer
    (the tests needing it say so)."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        import asyncpg

        try:
            asyncio.run(drop_leftover_databases(url))
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):  # no server, a bad URL
            pass


def _handle_sigint() -> None:
    """Ctrl-C raises KeyboardInterrupt as Python's default handler does, but through a handler of
    our own. pytest-asyncio runs every async test and fixture step in `asyncio.Runner.run`, which
    swaps in a handler bound to its task when it finds Python's default one; on the way out Python
    3.11's `signal.getsignal` then formats the repr of that task, result included, as an error
    message it throws away: a whole running bot (about 180 kB of text, 8 ms of CPU), twice per
    fixture step, 15-30 ms per test. With any other handler the runner leaves SIGINT alone."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread() and (
            signal.getsignal(signal.SIGINT) is signal.default_int_handler):
        signal.signal(signal.SIGINT, _interrupt)


# --- staff passwords ---


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing() -> Iterator[None]:
    """Argon2 at test strength: the same algorithm and code path, but a hash costs about a
    millisecond instead of a tenth of a second (tests create and log in dozens of staff accounts).
    `verify` reads the cost from the hash itself, so nothing else changes."""
    from argon2 import PasswordHasher

    from bot.web import auth

    production, auth._hasher = auth._hasher, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    auth._hasher = production


# --- the ORM ---


@pytest.fixture(autouse=True, scope="session")
def remembered_model_setup() -> Iterator[None]:
    """Tortoise finalises every model at every bot start (two thirds of a start's CPU); its results
    depend on the models and the kind of database only, so the run makes them once per kind
    (tests/orm_starts.py, held equal to Tortoise's own by tests/test_orm_starts.py)."""
    from tests.orm_starts import model_setup_remembered

    with model_setup_remembered():
        yield


# --- time ---


@pytest.fixture
def clock() -> FakeClock:
    from bot.clock import FakeClock

    return FakeClock()


# --- the intent matcher ---


@pytest.fixture
def matcher() -> IntentMatcher:
    """The shop's intents (scripts_zh/intents.yaml) for one test: a `fork()` of the matcher the
    process builds once, as every runtime gets, so the test may change its threshold or teach it
    without touching another test's (building one takes a second or two)."""
    from bot.config import PROJECT_ROOT
    from bot.intents import IntentMatcher, precedence_of
    from handlers import EXTENSIONS

    return IntentMatcher.shared(PROJECT_ROOT / "scripts_zh" / "intents.yaml", precedence_of(EXTENSIONS)).fork()


# --- external services ---


def _unavailable(variable: str, reason: str) -> NoReturn:
    """Skip the test, or fail it when running in CI."""
    message = f"{variable}: {reason} (`bash .ci/test.sh` sets the URLs and starts the services)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI is set, so this fails instead of skipping", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        _unavailable("TEST_REDIS_URL", "not set")
    try:
        import redis

        with redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1) as client:
            client.ping()
    except redis.RedisError as exc:
        _unavailable("TEST_REDIS_URL", f"{url} does not answer: {exc}")
    return url


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        _unavailable("TEST_POSTGRES_URL", "not set")
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=1):
            pass
    except OSError as exc:
        _unavailable("TEST_POSTGRES_URL", f"{url} does not answer: {exc}")
    return url


# --- the running bot ---


@pytest.fixture
def bot_settings() -> dict[str, Any]:
    """Settings of the test's bot beyond `make_settings`' isolation; override in a module."""
    return {}


@pytest.fixture
def bot_ticker() -> bool:
    """Whether the bot's scheduler ticks on its own; False for tests that fire deadlines themselves."""
    return True


@pytest.fixture
async def bot(
    tmp_path: Path, clock: FakeClock, bot_settings: dict[str, Any], bot_ticker: bool
) -> AsyncIterator[RunningBot]:
    from tests.fakes.bot_app import make_settings, running_bot

    async with running_bot(make_settings(tmp_path, **bot_settings), clock=clock) as running:
        if not bot_ticker:
            await running.runtime.scheduler.stop()
        yield running


# --- stores ---

StoreOpener = Callable[[], "Store"]
#: Keys Redis looks at per SCAN round trip when a test's keys are deleted: the server is shared (other
#: runs' and benches' keys), and at Redis' default of 10 a whole keyspace of some thousands of keys
#: took a few hundred round trips, seconds of a Redis test's teardown.
STALE_SCAN_COUNT = 1000


@pytest.fixture(params=["memory", "redis"])
def store_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def open_stores(
    store_backend: str, clock: FakeClock, request: pytest.FixtureRequest
) -> AsyncIterator[StoreOpener]:
    """Opens stores on one backend, each as another worker sees it.

    Memory: the same `MemoryStore` every time (one process has one). Redis: a new `RedisStore`
    with its own client each time, all under a key prefix unique to the test, whose keys are
    deleted afterwards; every client is closed.
    """
    from bot.store.base import KeyBuilder
    from bot.store.memory import MemoryStore
    from bot.store.redis import RedisStore

    keys = KeyBuilder(run_key_prefix())
    if store_backend == "memory":
        memory = MemoryStore(clock, keys)
        yield lambda: memory
        await memory.close()
        return

    url = request.getfixturevalue("redis_url")
    opened: list[RedisStore] = []

    def open_redis() -> Store:
        opened.append(RedisStore.from_url(url, clock, keys))
        return opened[-1]

    yield open_redis
    janitor = RedisStore.from_url(url, clock, keys)
    stale = [key async for key in janitor.client.scan_iter(match=f"{keys.prefix}:*", count=STALE_SCAN_COUNT)]
    await janitor.delete(*stale)
    for store in [janitor, *opened]:
        await store.close()


@pytest.fixture
def store(open_stores: StoreOpener) -> Store:
    return open_stores()


# --- databases ---


@pytest.fixture
async def fresh_postgres_url(postgres_url: str) -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards (for tests of migrating)."""
    name = await new_database(postgres_url)
    try:
        yield url_of(postgres_url, name)
    finally:
        await drop_database(postgres_url, name)


@pytest.fixture(scope="session")
def postgres_schema(postgres_url: str) -> str:
    """The name of a database migrated once per run, by the first xdist worker that needs it
    (tests/run_shared.py; dropped when the run ends), by `prepare_database` in a thread of its own, as
    `csbot migrate` would (tests/command_line.py: its ORM context is the thread's; it leaves no
    connection open, and PostgreSQL copies only an idle template)."""
    from bot.db import prepare_database
    from tests.command_line import run_in_own_thread

    name = database_name("schema")

    def migrate() -> None:
        asyncio.run(drop_database(postgres_url, name))  # what a failed attempt of this run left
        asyncio.run(new_database(postgres_url, name=name))
        run_in_own_thread(lambda: asyncio.run(prepare_database(url_of(postgres_url, name))))

    made_once("postgres-schema", migrate)
    return name


@pytest.fixture(scope="session")
def emptied_postgres_databases(postgres_url: str) -> Iterator[list[str]]:
    """Migrated databases this worker's finished tests left, emptied for the next (`migrated_postgres_url`);
    dropped when the worker ends."""
    idle: list[str] = []
    yield idle
    for name in idle:
        asyncio.run(drop_database(postgres_url, name))


async def _empty_database(database_url: str) -> bool:
    """Every row a test wrote gone, as in a fresh copy of the template: connections a test left are
    ended (as dropping the database did), every table but aerich's (the applied migrations) emptied and
    their identities restarted. The schema itself is not changed by tests (`fresh_postgres_url` is for
    tests of migrating), but a test that adds a trigger or function for a fault and is stopped before
    dropping it (a timeout) would leave it: then False, and the database is not used again."""
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        if await connection.fetchval(
                "SELECT (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal) + (SELECT count(*) FROM pg_proc "
                "JOIN pg_namespace ON pg_namespace.oid = pronamespace WHERE nspname = 'public')"):
            return False
        tables = await connection.fetch("SELECT quote_ident(tablename) FROM pg_tables "
                                        "WHERE schemaname = 'public' AND tablename <> 'aerich'")
        await connection.execute(f"TRUNCATE {', '.join(row[0] for row in tables)} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()
    return True


@pytest.fixture
async def migrated_postgres_url(
    postgres_url: str, postgres_schema: str, emptied_postgres_databases: list[str]
) -> AsyncIterator[str]:
    """A PostgreSQL database for one test, already migrated and empty: a copy of `postgres_schema` (a
    fraction of migrating), or one an earlier test of this worker used, emptied since
    (`_empty_database`: about a third of the 0.45 s, 0.2 s of PostgreSQL's CPU, that copying and
    dropping a database cost). The bot's start still runs the migrations: none is pending. Use
    `fresh_postgres_url` when migrating itself is under test."""
    idle = emptied_postgres_databases
    name = idle.pop() if idle else await new_database(postgres_url, template=postgres_schema)
    url = url_of(postgres_url, name)
    yield url
    try:
        reusable = await _empty_database(url)
    except BaseException:
        await drop_database(postgres_url, name)  # no database in an unknown state is handed out again
        raise
    if reusable:
        idle.append(name)
    else:
        await drop_database(postgres_url, name)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Both databases the queries under test must work on."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'bot.sqlite3'}"
    return request.getfixturevalue("migrated_postgres_url")


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[None]:
    """The ORM open on `database_url` (each database in turn) for tests of queries without a bot."""
    from bot.db import close_database, open_database

    await open_database(database_url)
    try:
        yield
    finally:
        await close_database()


# --- the command line ---


@pytest.fixture
def csbot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> CommandLine:
    """`csbot ...` in this process (tests/command_line.py), in the test's directory: no developer's `.env`."""
    from tests.command_line import CommandLine

    monkeypatch.chdir(tmp_path)
    return CommandLine(capsys)


# --- a Redis of the test's own, that the test may stop ---


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    from tests.redis_server import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
# --- browser ---


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the whole run; each page gets a context of its own (`open_page`),
    so no cookies or localStorage pass between tests. Tests using it run in the session's event loop
    (`pytestmark = pytest.mark.asyncio(loop_scope="session")`, and so do their async fixtures)."""
    from tests.browser import chromium

    async with chromium() as launched:
        yield launched
