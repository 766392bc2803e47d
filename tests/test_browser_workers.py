"""tests/browser_workers.py's scheduling, driven as xdist's controller drives it, with workers that run
what they are sent (a worker keeps its last test until it is sent another or told to stop, as xdist's
does): every test runs exactly once, browser tests only on the browser workers while one is left, and
the run ends (no worker left waiting with a test it holds or nothing to do); and the check failing a
test that uses `browser` outside a `*_browser.py` file."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

from tests.browser_workers import BrowserTestsOnSomeWorkers, is_browser_test, refuse_browser_outside_browser_files


@dataclass(eq=False)
class Worker:
    """What the scheduler uses of xdist's WorkerController."""

    name: str
    shutting_down: bool = False

    @property
    def gateway(self) -> Any:  # compared collections are reported by the gateway's id
        return SimpleNamespace(id=self.name)

    def send_runtest_some(self, indices: list[int]) -> None:
        pass

    def shutdown(self) -> None:
        self.shutting_down = True


class Config:
    def __init__(self, workers: int) -> None:
        self.options = {"tx": [f"{workers}*popen"], "maxschedchunk": 1}

    def getvalue(self, name: str) -> Any:
        return self.options[name]

    getoption = getvalue


def run(collection: list[str], workers: int, crash: str | None = None) -> dict[str, list[str]]:
    """Each worker in turn runs one of the tests it holds (all of them once told to stop) and reports
    it; when the scheduler says the tests are finished, every worker is told to stop (as xdist's
    controller does). `crash`: the worker that dies on its first browser test (its tests go back to the
    others)."""
    scheduler = BrowserTestsOnSomeWorkers(Config(workers))  # type: ignore[arg-type]
    nodes = [Worker(f"gw{number}") for number in range(workers)]
    for node in nodes:
        scheduler.add_node(node)  # type: ignore[arg-type]
        scheduler.add_node_collection(node, collection)  # type: ignore[arg-type]
    scheduler.schedule()
    done: dict[str, list[str]] = {node.name: [] for node in nodes}
    while scheduler.nodes:
        progressed = False
        for node in list(scheduler.nodes):
            held = scheduler.node2pending[node]
            if node.name == crash and held and is_browser_test(collection[held[0]]):
                scheduler.remove_node(node)  # the test it crashed in is reported, not rerun
                progressed = True
                continue
            if len(held) >= 2 or (held and node.shutting_down):
                done[node.name].append(collection[held[0]])
                scheduler.mark_test_complete(node, held[0])
                progressed = True
            elif node.shutting_down:
                scheduler.remove_node(node)
                progressed = True
        assert progressed, f"no worker can go on: {scheduler.node2pending}, pending {scheduler.pending}"
        if scheduler.tests_finished:  # as xdist's controller does after each event
            for node in scheduler.nodes:
                node.shutdown()
    return done


def suite(browser_every: int, tests: int) -> list[str]:
    return [f"tests/test_{'page_browser' if number % browser_every == 0 else 'api'}.py::test_{number}"
            for number in range(tests)]


@pytest.mark.parametrize(("workers", "collection"), [
    (4, suite(browser_every=7, tests=200)),
    (4, suite(browser_every=1, tests=3)),  # browser tests only, fewer than the workers
    (4, suite(browser_every=2, tests=5)),
    (2, suite(browser_every=3, tests=40)),
    (1, suite(browser_every=3, tests=10)),
])
def test_each_test_runs_once_and_browser_tests_only_on_the_last_half_of_the_workers(workers, collection):
    done = run(collection, workers)
    assert sorted(test for ran in done.values() for test in ran) == sorted(collection)
    browser_workers = {f"gw{number}" for number in range(workers // 2, workers)}
    assert {name for name, ran in done.items() if any(map(is_browser_test, ran))} <= browser_workers
    if len(collection) > 2 * workers:
        assert all(done.values()), done  # every worker had work


def test_the_others_take_the_browser_tests_when_every_browser_worker_is_gone():
    collection = suite(browser_every=5, tests=60)
    done = run(collection, workers=2, crash="gw1")
    finished = [test for ran in done.values() for test in ran]
    assert len(finished) == len(set(finished)) == len(collection) - 1  # all but the one gw1 crashed in
    assert any(map(is_browser_test, done["gw0"]))


def test_a_short_run_of_browser_tests_is_spread_over_the_browser_workers():
    """`--lf` with two browser tests on four workers: one each, not both on one browser worker."""
    done = run(suite(browser_every=1, tests=2), workers=4)
    assert [len(done["gw2"]), len(done["gw3"])] == [1, 1], done


@dataclass
class Item:
    """What the check uses of a pytest item."""

    nodeid: str
    fixturenames: tuple[str, ...]


def test_a_test_using_browser_outside_a_browser_file_fails_and_one_inside_does_not():
    with pytest.raises(pytest.fail.Exception, match=r"test_page\.py::test_draws uses `browser`"):
        refuse_browser_outside_browser_files(Item("tests/test_page.py::test_draws", ("open_page", "browser")))
    refuse_browser_outside_browser_files(Item("tests/test_page_browser.py::test_draws", ("open_page", "browser")))
    refuse_browser_outside_browser_files(Item("tests/test_page.py::test_reads", ("bot",)))
