"""pytest-xdist's `load` scheduling, with the browser tests run by only some of the workers.

A worker starts its own Chromium (`browser` in tests/conftest.py) with its first browser test: the
browser, Playwright's driver and the contexts `open_page` keeps for later tests cost about 1.5-3 s of
CPU per worker before any page is drawn, paid again by every worker that runs a browser test. With
the browser tests spread over the run (tests/conftest.py, `_in_running_order`), `load` gave some to
every worker. Here only the last `(n + 1) // 2` workers to be ready take them (the first gets the
fuzz test, which `_in_running_order` puts first); the others skip them and take the next test that
is not one. A worker that can no longer get any test because only browser tests are left is shut
down (it finishes what it holds), as `load` shuts a worker down when nothing is left. If every
browser worker is gone (crashed), the others take the browser tests again.

The controlling process has the tests' ids only, not their fixtures, so a browser test is told by its
file's name: every test using `browser` lives in a `*_browser.py` file (tests/conftest.py refuses
to collect one that does not).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from xdist.scheduler import LoadScheduling
from xdist.workermanage import WorkerController

BROWSER_FILE_SUFFIX = "_browser.py"


def is_browser_test(nodeid: str) -> bool:
    return nodeid.split("::", 1)[0].endswith(BROWSER_FILE_SUFFIX)


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
        for node in self.nodes:  # `load` dealt a short run round all the workers, skipped ones included
            if len(self.node2pending[node]) < 2:
                self.check_schedule(node)

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
