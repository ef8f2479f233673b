"""Run engine tasks on a Dask distributed cluster (``--scheduler tcp://HOST:PORT``).

:class:`DaskBackend` is an engine ``backend``: it submits every task as
``engine.safe_call(worker, task)`` and yields results as they complete, so the client process
writes one file per finished run exactly as a local sweep does. Workers must be able to import
``abm`` (same package version; e.g. start them from the project's venv with PYTHONPATH set).
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Iterator, Sequence

from abm.experiments.engine import Result, Task, Worker, safe_call
from abm.params.scenario import ScenarioError

# Seconds to reach the scheduler and to find a worker on it: a scheduler on the local
# network answers in well under a second; 20 s leaves room for a cluster still starting.
CONNECT_TIMEOUT_S = 20
SCHEMES = ("tcp", "tls", "ws", "wss")


def parse_address(address: str) -> tuple[str, str, int]:
    """``[tcp://]HOST:PORT`` -> (scheme, host, port), or ScenarioError (before any connection)."""
    where = f"--scheduler {address}"
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme not in SCHEMES:
        raise ScenarioError(
            f"{where}: scheme must be one of {', '.join(SCHEMES)} (tcp://HOST:PORT)"
        )
    host, colon, port_s = rest.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or any(c in host for c in "/ @?#"):
        raise ScenarioError(f"{where}: not an address like tcp://10.0.0.5:8786")
    if not port_s.isdigit() or not 1 <= int(port_s) <= 65535:
        raise ScenarioError(f"{where}: port must be a number in 1-65535, got {port_s!r}")
    return scheme, host, int(port_s)


def _abm_version() -> str:
    import abm

    return abm.__version__


class DaskBackend:
    """A connection to a Dask scheduler, usable as ``engine.execute(..., backend=...)``."""

    def __init__(self, address: str, timeout_s: float | None = None) -> None:
        parse_address(address)
        from distributed import Client

        import abm

        timeout_s = timeout_s or CONNECT_TIMEOUT_S
        try:
            self.client = Client(address, timeout=f"{timeout_s}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ScenarioError(
                f"--scheduler {address}: cannot connect within {timeout_s:g} s ({reason})"
            ) from None
        try:
            self.client.wait_for_workers(1, timeout=timeout_s)
            versions = set(self.client.run(_abm_version).values())
        except Exception as exc:
            self.close()
            raise ScenarioError(
                f"--scheduler {address}: no worker that can import abm ({type(exc).__name__}: "
                f"{exc}); start workers from the project venv with PYTHONPATH=<repo>"
            ) from None
        if versions != {abm.__version__}:
            self.close()
            raise ScenarioError(
                f"--scheduler {address}: workers run abm {', '.join(sorted(versions))}, "
                f"this client {abm.__version__}"
            )
        self.address = address

    def __call__(self, tasks: Sequence[Task], worker: Worker) -> Iterator[Result]:
        """Submit every task; yield ``safe_call`` results in completion order."""
        from distributed import as_completed

        token = uuid.uuid4().hex[:8]
        futures = {
            self.client.submit(safe_call, worker, t, key=f"abm-{t.run_id}-{token}", pure=False): t
            for t in tasks
        }
        try:
            for fut in as_completed(futures, loop=self.client.loop):
                try:
                    yield fut.result()
                except Exception:
                    yield futures[fut].run_id, None, traceback.format_exc()
        finally:
            self.client.cancel(list(futures))

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster keeps running)."""
        self.client.close()
