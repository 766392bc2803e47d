"""First-sight classification in a process beside the worker (bot/classifier_process.py): the same
decisions as the worker's own matcher, learned examples forwarded in order, and no customer failed or
kept waiting when the child dies or hangs; the child never outlives its worker."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from pathlib import Path

import pytest

from bot.classifier_process import ClassifierProcess, MatcherSpec, learn, replay, resolve
from bot.clock import FakeClock
from bot.config import PROJECT_ROOT
from bot.intent_areas import Precedence
from bot.intents import IntentMatch, IntentMatcher
from bot.learned import Labelled
from bot.runtime import matcher_spec
from bot.server import serving_settings
from bot.web.auth import create_agent, issue_api_token
from handlers.teaching.service import LEARNED
from models.message import Message
from tests.classifier_children import replaced
from tests.fakes.bot_app import eventually, make_settings, running_bot

CORPUS = PROJECT_ROOT / "bench" / "corpus.tsv"
OWN = ("", "AS20261123-0001", "订单 123456789012345 到哪了", "kuaidi dao na le", "不是要退货 帮我补发", "😀😀",
       "請問這個還有貨嗎", "你好 我地址填错了能改吗")


def corpus_texts() -> list[str]:
    return [line.split("\t")[0] for line in CORPUS.read_text(encoding="utf-8").splitlines()[1:] if line]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


async def ready(classifier: ClassifierProcess | None) -> ClassifierProcess:
    assert classifier is not None, "CLASSIFIER_PROCESS=on opens a classifier process"

    async def check() -> bool:
        return classifier.ready

    await eventually(check, "the classifier process ready", seconds=60)
    return classifier


async def answers(classifier: ClassifierProcess, texts: list[str]) -> list[IntentMatch]:
    found = [classifier.classify(text) for text in texts]
    return [m if isinstance(m, IntentMatch) else await m for m in found]


def assert_same(child: list[IntentMatch], worker: list[IntentMatch], texts: list[str]) -> None:
    for text, a, b in zip(texts, child, worker, strict=True):
        assert (a.intent, a.decision, a.order_no, a.case_no) == (b.intent, b.decision, b.order_no, b.case_no), text
        assert abs(a.confidence - b.confidence) < 1e-12, text  # the hash seed orders the n-gram sums


def test_auto_is_decided_by_the_cores_each_worker_may_use(tmp_path) -> None:
    cores = len(os.sched_getaffinity(0))
    assert resolve("on", cores) == "on" and resolve("off") == "off"
    assert resolve("auto") == ("on" if cores >= 2 else "off")
    assert resolve("auto", cores) == "off"  # a worker and its child a core each: not with a worker per core
    assert serving_settings(make_settings(tmp_path), cores).classifier_process == "off"


def test_a_relative_scripts_dir_names_the_same_files_in_the_child(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(PROJECT_ROOT)  # the child runs in the project's directory, a worker anywhere
    spec = matcher_spec(make_settings(tmp_path, scripts_dir=Path("scripts_zh")), [])
    assert spec.intents_yaml == (PROJECT_ROOT / "scripts_zh" / "intents.yaml").resolve()


def test_a_new_childs_replay_learns_what_the_worker_learned_lesson_by_lesson() -> None:
    general = IntentMatcher.shared(PROJECT_ROOT / "scripts_zh" / "intents.yaml", Precedence(), cache_size=0)
    rows = [line.split("\t") for line in (PROJECT_ROOT / "tests/data/shop_dev_pets.tsv")
            .read_text(encoding="utf-8").splitlines()[1:61]]
    taught = [(text, intent) for text, intent, *_ in rows]
    lessons = [(taught[:20], []), (taught[20:40], []), (taught[40:], taught[:5])]
    worker, child = general.fork(), general.fork()
    for lesson in lessons:
        learn(worker, lesson)
    replay(child, lessons)  # one fit at the end, not one a lesson
    assert child.shop_fit_key() == worker.shop_fit_key()
    texts = [*(text for text, _ in taught), *OWN]
    assert_same([child.classify(t) for t in texts], [worker.classify(t) for t in texts], texts)


async def test_the_child_survives_a_text_the_matcher_fails_on_and_systemds_sigterm(tmp_path, caplog) -> None:
    clock = FakeClock()
    settings = make_settings(tmp_path, classifier_process="on", intent_cache_size=0)
    async with running_bot(settings, clock=clock) as bot:
        classifier = await ready(bot.runtime.classifier)
        child = classifier.pid
        assert child is not None
        with pytest.raises(AttributeError) as in_process:
            bot.runtime.matcher.classify(123)  # type: ignore[arg-type]
        found = [classifier.classify(t) for t in ["我的快递到哪了", 123, "发票怎么开"]]  # type: ignore[list-item]
        assert all(isinstance(f, asyncio.Future) for f in found)
        first, failed, last = await asyncio.wait_for(asyncio.gather(*found, return_exceptions=True), 30)
        assert type(failed) is AttributeError and str(failed) == str(in_process.value)  # as in the worker
        assert (first, last) == tuple(bot.runtime.matcher.classify(t) for t in ["我的快递到哪了", "发票怎么开"])
        assert classifier.fallbacks == 1 and classifier.pid == child  # only that text, by the worker

        async def caught_up() -> bool:  # the stopped batch answered: texts go to the child again
            return not classifier._behind

        async def late(text: object) -> IntentMatch:
            """`text` asked for while the child is stopped: classified in the worker after the budget."""
            os.kill(child, signal.SIGSTOP)
            try:
                found = classifier.classify(text)  # type: ignore[arg-type]
                assert isinstance(found, asyncio.Future)
                await asyncio.sleep(0)  # written to the child in the loop's next turn, its budget counted from then
                await clock.advance(classifier.budget_s + classifier.per_text_s)
                return await asyncio.wait_for(found, 30)
            finally:
                os.kill(child, signal.SIGCONT)
                await eventually(caught_up, "the child caught up", seconds=30)

        with pytest.raises(AttributeError):
            await late(123)  # the worker classifies it and fails as it would alone
        assert await late("发票怎么开") == bot.runtime.matcher.classify("发票怎么开")
        warnings = [r for r in caplog.records if r.getMessage().startswith("classifier process late")]
        assert len(warnings) == 1  # two late episodes within a minute: one line

        os.kill(child, signal.SIGTERM)  # systemd's stop reaches the whole cgroup: the worker stops it
        fallbacks = classifier.fallbacks
        after = [classifier.classify("发票怎么开") for _ in range(2)]
        assert all(isinstance(a, asyncio.Future) for a in after)

        async def answered() -> bool:
            return all(a.done() for a in after)  # type: ignore[union-attr]

        await eventually(answered, "the child's answer", seconds=30)
        assert alive(child) and classifier.pid == child and classifier.fallbacks == fallbacks


async def test_a_child_that_cannot_be_spawned_is_tried_again_and_close_stops_a_spawn_under_way(monkeypatch) -> None:
    clock = FakeClock()
    spec = MatcherSpec(PROJECT_ROOT / "scripts_zh" / "intents.yaml", Precedence(), None, 0)
    matcher = IntentMatcher.shared(spec.intents_yaml, spec.precedence, cache_size=0).fork()
    classifier = ClassifierProcess(matcher, spec, clock)
    monkeypatch.setattr(sys, "executable", str(PROJECT_ROOT / "no-such-python"))  # the spawn fails (an OSError)
    await classifier.start()  # the worker starts all the same
    assert classifier.starts == 1 and classifier.pid is None
    assert classifier.classify("发票怎么开") == matcher.classify("发票怎么开")  # classified in the worker
    monkeypatch.undo()
    await clock.advance(classifier.restart_s)
    await ready(classifier)
    assert classifier.starts == 2
    killed = classifier.pid
    assert killed is not None
    os.kill(killed, signal.SIGKILL)

    async def ended() -> bool:
        return classifier.pid is None and not classifier.ready

    await eventually(ended, "the child's end noticed", seconds=30)
    classifier._start_again()  # as the restart's alarm does
    await asyncio.sleep(0)  # the spawn under way
    await classifier.close()
    assert classifier._starting is not None and classifier._starting.done()
    assert classifier.pid is None and not classifier_children()


def classifier_children() -> list[str]:
    """This process's children that are classifier processes (alive or not yet reaped)."""
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    return [pid for pid in children if "bot.classifier_process" in Path(f"/proc/{pid}/cmdline").read_text()]


async def test_the_child_decides_as_the_worker_before_and_after_learning(tmp_path) -> None:
    settings = make_settings(tmp_path, classifier_process="on", intent_cache_size=0)
    async with running_bot(settings, clock=FakeClock()) as bot:
        classifier = await ready(bot.runtime.classifier)
        texts = [*corpus_texts(), *OWN]
        assert len(texts) > 500
        assert_same(await answers(classifier, texts), [bot.runtime.matcher.classify(t) for t in texts], texts)

        shop = [line.split("\t") for line in (PROJECT_ROOT / "tests/data/shop_dev_pets.tsv")
                .read_text(encoding="utf-8").splitlines()[1:121]]
        await bot.runtime.services[LEARNED].teach([Labelled(text, intent) for text, intent, *_ in shop], "import")
        taught = [text for text, *_ in shop[:40]]
        after = await answers(classifier, [*taught, *texts])
        assert_same(after, [bot.runtime.matcher.classify(t) for t in [*taught, *texts]], [*taught, *texts])
        assert classifier.fallbacks == 0  # every answer above came from the child
        child = classifier.pid
    assert child is not None and not alive(child)  # stopped with the runtime


async def test_a_correction_in_one_worker_changes_the_next_decision_of_the_others_child(tmp_path, redis_url) -> None:
    clock = FakeClock()
    settings = make_settings(tmp_path, redis_url=redis_url, staffed_hours="00:00-24:00", classifier_process="on",
                             intent_cache_size=0)
    async with running_bot(settings, clock=clock) as one, running_bot(settings, clock=clock) as two:
        classifier = await ready(two.runtime.classifier)
        assert (await answers(classifier, ["小蓝瓶上了没?"]))[0].decision == "unknown"
        response = await one.post_chat({"user_id": "c1", "text": "小蓝瓶上了没"})
        assert response.status == 200
        agent = await create_agent("amy", "supervisor", "secret-pass-123", now=clock.now())  # any customer's
        headers = {"Authorization": f"Bearer {await issue_api_token(agent)}"}
        review = await (await one.client.get("/api/intents/review", headers=headers)).json()
        item = next(i for i in review["items"] if i["text"] == "小蓝瓶上了没")
        response = await one.client.post("/api/intents/teach", headers=headers,
                                         json={"message_id": item["message_id"], "intent": "product.consult"})
        assert response.status == 200, await response.text()

        async def learned_there() -> bool:
            return two.runtime.matcher.classify("小蓝瓶上了没?").decision == "product.consult"

        await eventually(learned_there, "the lesson applied in the second worker")
        response = await two.post_chat({"user_id": "c2", "text": "小蓝瓶上了没？"})
        assert response.status == 200
        row = await Message.filter(conversation__key="webchat:c2", direction="in").first()
        assert row is not None and row.intent == "product.consult"
        assert classifier.fallbacks == 0  # decided by the child, which had learned it


async def test_a_dead_or_hung_child_costs_a_customer_at_most_the_budget_and_is_replaced(tmp_path) -> None:
    clock = FakeClock()
    settings = make_settings(tmp_path, classifier_process="on", staffed_hours="00:00-24:00", intent_cache_size=0)
    async with running_bot(settings, clock=clock) as bot:
        classifier = await ready(bot.runtime.classifier)
        classifier.per_text_s = 0.0

        async def answered(user: str, text: str) -> float:
            """The customer's answer, and how long the bot's clock ran before it came."""
            started = clock.monotonic()
            posting = asyncio.create_task(bot.post_chat({"user_id": user, "text": text}))

            async def check() -> bool:
                if not posting.done():
                    await clock.advance(classifier.budget_s / 4)
                return posting.done()

            await eventually(check, "the customer's answer", seconds=60)
            assert (await posting).status == 200
            row = await Message.filter(conversation__key=f"webchat:{user}", direction="in").first()
            assert row is not None and row.intent == bot.runtime.matcher.classify(text).decision
            return clock.monotonic() - started

        killed = classifier.pid
        assert killed is not None
        os.kill(killed, signal.SIGKILL)
        await answered("k1", "我的快递到哪了")
        await replaced(classifier, clock, killed)
        assert not alive(killed)
        assert classifier.starts == 2

        hung = classifier.pid
        assert hung is not None
        os.kill(hung, signal.SIGSTOP)
        try:
            fallbacks = classifier.fallbacks
            waited = await answered("h1", "发票怎么开")  # a stopped child never answers: the budget, not the hang
            assert classifier.budget_s <= waited < classifier.hang_s
            assert classifier.fallbacks == fallbacks + 1
            await replaced(classifier, clock, hung)
            assert not alive(hung)
            assert classifier.starts == 3
        finally:
            if alive(hung):
                os.kill(hung, signal.SIGKILL)


async def test_the_child_ends_with_a_killed_worker() -> None:
    worker = textwrap.dedent("""
        import asyncio
        from bot.classifier_process import ClassifierProcess, MatcherSpec
        from bot.clock import SystemClock
        from bot.config import PROJECT_ROOT
        from bot.intent_areas import Precedence
        from bot.intents import IntentMatcher

        async def main():
            spec = MatcherSpec(PROJECT_ROOT / "scripts_zh" / "intents.yaml", Precedence(), None, 0)
            matcher = IntentMatcher.shared(spec.intents_yaml, spec.precedence)
            classifier = ClassifierProcess(matcher, spec, SystemClock())
            await classifier.start()
            print(classifier.pid, flush=True)
            await asyncio.sleep(600)

        asyncio.run(main())
    """)
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", worker, cwd=PROJECT_ROOT,
                                                   stdout=asyncio.subprocess.PIPE,
                                                   env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    try:
        assert process.stdout is not None
        orphan = int(await asyncio.wait_for(process.stdout.readline(), 120))
        assert alive(orphan)
        process.kill()  # no chance to close anything
        await process.wait()

        async def gone() -> bool:
            return not alive(orphan)

        await eventually(gone, "the classifier process gone with its worker", seconds=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
