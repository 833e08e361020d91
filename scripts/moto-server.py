"""moto's server with each request applied atomically.

DynamoDB checks a write's condition and applies the write as one step;
moto's threaded server does the two in separate steps, so two racing
conditional writers could both win and the conflict tests would see a
double that DynamoDB never makes. Requests still arrive on their own
threads (a slow client cannot block the others); only moto's handling of
each one is serialised.

Usage: moto-server.py HOST PORT
"""

import os
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def atomic(environ, start_response):
        with lock:
            return list(app(environ, start_response))

    run_simple(host, port, atomic, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
