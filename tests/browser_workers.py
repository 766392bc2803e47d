"""pytest-xdist's `load` scheduling, with the browser tests run by only some of the workers.

A worker starts its own Chromium (`browser` in tests/conftest.py) with its first browser test: the
browser, Playwright's driver and the contexts `open_page` keeps for later tests cost about 1.5-3 s of
CPU per worker before any page is drawn, paid again by every worker that runs a browser test. With
the browser tests spread over the run (tests/conftest.py, `_in_running_order`), `load` gave some to
every worker. Here only the last `(n + 1) // 2` workers to be ready take them (the first gets the
fuzz test, which `_in_running_order` puts first); the others skip them and take the next test that
is not one. A worker that can no longer get any test because only browser tests are left is shut
down (it finishes what it holds), as `load` shuts a worker down when nothing is left. If every
browser worker is gone (crashed), the others take the browser tests again, and so does the worker
xdist starts in a crashed one's place (those others may already be shut down).

The controlling process has the tests' ids only, not their fixtures, so a browser test is told by its
file's name: every test using `browser` lives in a `*_browser.py` file (one elsewhere fails at its
setup: `refuse_browser_outside_browser_files`).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

import pytest
from xdist.scheduler import LoadScheduling
from xdist.workermanage import WorkerController

BROWSER_FILE_SUFFIX = "_browser.py"


def is_browser_test(nodeid: str) -> bool:
    return nodeid.split("::", 1)[0].endswith(BROWSER_FILE_SUFFIX)


def refuse_browser_outside_browser_files(item: pytest.Item) -> None:
    """Fails a test using `browser` outside a `*_browser.py` file before its fixtures are set up: the
    scheduler would take it for an ordinary test. Failed when it is set up rather than refused at
    collection: under xdist a collection the workers refuse ends in an INTERNALERROR about another
    test (the worker stops holding tests already sent), with this message nowhere."""
    if "browser" in getattr(item, "fixturenames", ()) and not is_browser_test(item.nodeid):
        pytest.fail(f"{item.nodeid} uses `browser`: put it in a *{BROWSER_FILE_SUFFIX} file "
                    "(tests/browser_workers.py tells browser tests by their file's name)", pytrace=False)


class BrowserTestsOnSomeWorkers(LoadScheduling):
    browser_tests: frozenset[int] = frozenset()
    browser_nodes: frozenset[WorkerController] = frozenset()

    def schedule(self) -> None:
        if self.collection is None and self.node2collection:
            collection = next(iter(self.node2collection.values()))
            self.browser_tests = frozenset(i for i, nodeid in enumerate(collection) if is_browser_test(nodeid))
            nodes = self.nodes
            self.browser_nodes = frozenset(nodes[len(nodes) // 2:])
        super().schedule()
        if self.collection is not None and len(self.collection) < 2 * len(self.nodes):
            self._deal_the_rest_one_each()
        for node in self.nodes:  # `load` dealt a short run round all the workers, skipped ones included
            if len(self.node2pending[node]) < 2:
                self.check_schedule(node)

    def _deal_the_rest_one_each(self) -> None:
        """`load` deals a run of fewer than two tests a worker one test per worker in turn, and the turn
        of a worker skipping browser tests dealt none once only browser tests were left. These go one at
        a time to the browser worker holding fewest, as `load` would have spread them, rather than two
        to the first (`check_schedule` keeps a worker two tests ahead), which ran them one after the
        other beside an idle browser worker (e.g. `--lf` with two browser tests on four workers)."""
        takers = [node for node in self.nodes if self._takes_every_test(node) and not node.shutting_down]
        while self.pending and takers:
            self._send_tests(min(takers, key=lambda node: len(self.node2pending[node])), 1)
        if not self.pending:
            for node in self.nodes:
                node.shutdown()  # as `load` does once it has dealt every test

    def check_schedule(self, node: WorkerController, duration: float = 0) -> None:
        super().check_schedule(node, duration=duration)
        self._shut_down_the_idle([node])

    def remove_node(self, node: WorkerController) -> str | None:
        crashed = super().remove_node(node)
        self._shut_down_the_idle(self.nodes)
        return crashed

    def _takes_every_test(self, node: WorkerController) -> bool:
        return node in self.browser_nodes or not self.browser_nodes & set(self.node2pending)

    def _sendable(self, node: WorkerController) -> Iterable[int]:
        if self._takes_every_test(node):
            return self.pending
        return (index for index in self.pending if index not in self.browser_tests)

    def _send_tests(self, node: WorkerController, num: int) -> None:
        chosen = list(islice(self._sendable(node), num))
        if chosen:
            taken = set(chosen)
            self.pending[:] = [index for index in self.pending if index not in taken]
            self.node2pending[node].extend(chosen)
            node.send_runtest_some(chosen)

    def _shut_down_the_idle(self, nodes: Iterable[WorkerController]) -> None:
        """A worker that will never be sent another test finishes what it holds and stops: xdist's worker
        keeps its last test until it is sent the next or told to stop."""
        if not self.pending:
            return  # `load` itself shuts the workers down
        for node in nodes:
            if not node.shutting_down and next(iter(self._sendable(node)), None) is None:
                node.shutdown()
