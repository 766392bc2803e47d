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

from bot.classifier_process import ClassifierProcess, resolve
from bot.clock import FakeClock
from bot.config import PROJECT_ROOT
from bot.intents import IntentMatch
from bot.learned import Labelled
from bot.web.auth import create_agent, issue_api_token
from handlers.teaching.service import LEARNED
from models.message import Message
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


def test_auto_is_decided_by_the_cores_a_worker_may_use() -> None:
    assert resolve("on") == "on" and resolve("off") == "off"
    assert resolve("auto") == ("on" if len(os.sched_getaffinity(0)) >= 2 else "off")


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
        agent = await create_agent("amy", "agent", "secret-pass-123", now=clock.now())
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

        async def replaced(old: int) -> None:
            async def check() -> bool:  # the hang's and the restart's waits pass on the bot's clock
                await clock.advance(classifier.restart_s)
                return classifier.ready and classifier.pid not in (None, old)

            await eventually(check, "a new classifier process", seconds=60)
            assert not alive(old)

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
        await replaced(killed)
        assert classifier.starts == 2

        hung = classifier.pid
        assert hung is not None
        os.kill(hung, signal.SIGSTOP)
        try:
            fallbacks = classifier.fallbacks
            waited = await answered("h1", "发票怎么开")  # a stopped child never answers: the budget, not the hang
            assert classifier.budget_s <= waited < classifier.hang_s
            assert classifier.fallbacks == fallbacks + 1
            await replaced(hung)
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
