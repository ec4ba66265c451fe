"""Real object-store servers for the tests, started by the tests: moto's S3 server (in a thread of
the test process, with a count of the bytes it sends) and Azure's Blob emulator, Azurite (a Node
process installed by tools/install-azurite.sh). Helpers to upload a local tree and to run triage
on a path as the command line does, in a process of its own."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
AZURITE_BIN = ROOT / "tools" / ".azurite" / "node_modules" / ".bin" / "azurite-blob"
REQUIRE_AZURITE = "TRIAGE_REQUIRE_AZURITE"
# Azurite's well-known development account (published in Azure's docs; not a secret).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
S3_ENV = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CountingMotoServer:
    """moto's S3 server on a free port, counting the body bytes of its answers to GET requests
    (the server's own count, independent of triage's)."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        counts = self.counts = {"get_bytes": 0, "gets": 0}
        lock = threading.Lock()

        class Counting(ThreadedMotoServer):
            def _server_entry(self) -> None:
                from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
                from werkzeug.serving import make_server

                app = DomainDispatcherApplication(create_backend_app)

                def counted(environ, start_response):
                    body = app(environ, start_response)
                    if environ.get("REQUEST_METHOD") != "GET":
                        return body
                    chunks = list(body)
                    with lock:
                        counts["gets"] += 1
                        counts["get_bytes"] += sum(len(c) for c in chunks)
                    return chunks

                class Quiet(MotoRequestHandler):
                    def log_request(self, *args, **kwargs) -> None:
                        pass

                self._server = make_server(self._ip_address, self._port, counted, True, request_handler=Quiet)
                self._server_ready_event.set()
                self._server.serve_forever()

        self.server = Counting(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        self.port = self.server.get_host_and_port()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def reset_counts(self) -> None:
        self.counts.update(get_bytes=0, gets=0)

    def filesystem(self):
        import s3fs

        return s3fs.S3FileSystem(key="x", secret="x", endpoint_url=self.endpoint, use_listings_cache=False)

    def stop(self) -> None:
        """Stop the server, and empty moto's store: its state is global to the process, so a
        server started later would see this one's buckets (and keep their bytes in memory)."""
        import urllib.request

        try:
            urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST"), timeout=10)
        finally:
            self.server.stop()


def upload_tree(fs, local: Path, remote: str) -> None:
    """Every file under ``local`` to ``remote`` (bucket/prefix, no scheme), keeping relative paths."""
    for path in sorted(local.rglob("*")):
        if path.is_file() and not path.is_symlink():
            fs.pipe_file(f"{remote}/{path.relative_to(local).as_posix()}", path.read_bytes())


def run_triage(*args: str, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """``triage ARGS`` in a process of its own, as a user runs it."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "philly_triage", *args], capture_output=True, text=True,
                          env=environment, cwd=ROOT, timeout=300)


def records(result: subprocess.CompletedProcess, prefix: str = "", replacement: str = "") -> list[dict]:
    """The JSONL records of a run, with ``prefix`` in every string replaced by ``replacement``."""
    out = []
    for line in result.stdout.splitlines():
        text = line.replace(json.dumps(prefix)[1:-1], json.dumps(replacement)[1:-1]) if prefix else line
        out.append(json.loads(text))
    return out


def azurite_installed() -> bool:
    return AZURITE_BIN.exists() and shutil.which("node") is not None


class Azurite:
    """azurite-blob on a free port, keeping its data in memory; stopped by ``stop``."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(AZURITE_BIN), "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", str(self.port),
             "--skipApiVersionCheck", "--loose", "--silent"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"azurite-blob exited: {self.process.stdout.read().decode(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("azurite-blob did not listen within 30 s")
        self.connection_string = (
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{self.port}/{AZURITE_ACCOUNT};"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
