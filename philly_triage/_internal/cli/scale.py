"""``--dask``: classify on a Dask distributed cluster instead of the embedded local process pool.

``--dask local`` starts a LocalCluster (one single-threaded worker process per core, or ``--jobs``
of them) for the run and closes it at the end; ``--dask tcp://HOST:PORT`` connects to a running
scheduler. Dask is an extra (``pip install 'philly-triage[dask]'``), imported only when ``--dask``
is given: a run without it never imports Dask.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Optional

import click

from philly_triage._internal.cli.common import fail

INSTALL_HINT = "pip install 'philly-triage[dask]'"


def dask_option(command: Callable) -> Callable:
    """Add --dask ADDR (the command gets ``dask``: None, 'local' or a scheduler's address)."""
    return click.option(
        "--dask", "dask", default=None, metavar="ADDR",
        help="Classify on a Dask distributed cluster: 'local' starts one on this machine (--jobs workers, "
        "default one per core), tcp://HOST:PORT uses a running scheduler, whose workers read the jobs "
        f"from their paths themselves (the same paths or URLs must work there). Needs {INSTALL_HINT}.",
    )(command)


@contextmanager
def dask_runner(address: Optional[str], processes: Optional[int]) -> Iterator[Optional[Callable]]:
    """The runner for ``Classifier.outcomes`` that ``--dask ADDR`` asks for, or None without it.

    The cluster is reached (or started) on entry and closed on the way out, however the block
    ends. Dask missing, or --jobs with a scheduler's address, is a usage error; a scheduler that
    cannot be reached ends the run with ``triage: error: ...`` and exit status 2."""
    if address is None:
        yield None
        return
    if processes is not None and address != "local":
        raise click.UsageError("--jobs sets the workers of --dask local; a scheduler's cluster has its own")
    try:
        from philly_triage._internal.pipeline import dask_runner as on_dask
    except ImportError as err:
        raise click.UsageError(f"--dask needs Dask, which is not installed ({err}): {INSTALL_HINT}") from None
    try:
        session = on_dask.open_session(address, processes)
    except on_dask.DaskError as err:
        fail(str(err))
    with session:
        yield on_dask.DaskRunner(session.client)
