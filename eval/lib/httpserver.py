"""A local HTTP server for the download jobs: files under a directory, 404 for missing ones, and
/flaky/<name> answering 503 to the first two requests for each name (a transient outage a retry loop
survives)."""

from __future__ import annotations

import http.server
import os
import threading
from collections import Counter


def start(directory: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    hits: Counter = Counter()
    lock = threading.Lock()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=directory, **kw)

        def log_message(self, *a):
            pass

        def do_GET(self):
            if self.path.startswith("/flaky/"):
                with lock:
                    hits[self.path] += 1
                    n = hits[self.path]
                if n <= 2:
                    self.send_error(503, "Service Unavailable")
                    return
                body = os.urandom(4096)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}"
