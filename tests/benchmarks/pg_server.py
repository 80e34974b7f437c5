"""A private PostgreSQL server on 127.0.0.1 for the benchmarks (the way .ci/run starts one for the tests).

    python tests/benchmarks/pg_server.py start DIR     # prints the server's URL; the data stays in DIR
    python tests/benchmarks/pg_server.py stop DIR

or from Python: ``with PrivateServer(DIR) as server: server.url("dentaldesk")``. The cluster is
made once in ``DIR/data`` (trust authentication, listening on 127.0.0.1 only, fsync off: a
benchmark database is generated and can be made again) and kept between runs, so a large
practice loaded once is there the next time. Run as root, the server runs as the ``postgres``
user.
"""

from __future__ import annotations

import glob
import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql; .ci/run does it)")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateServer:
    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder).resolve()
        self.data = self.folder / "data"
        self.port_file = self.folder / "port"
        self.bin = pg_bin()
        self.port = 0
        self._started_here = False

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        line = " ".join(shlex.quote(c) for c in command)
        argv = ["su", "postgres", "-s", "/bin/sh", "-c", line] if os.geteuid() == 0 else ["sh", "-c", line]
        return subprocess.run(argv, check=check, capture_output=True, text=True)

    def running(self) -> bool:
        return self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "status", check=False).returncode == 0

    def start(self) -> PrivateServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            subprocess.run(["chown", "postgres", str(self.folder)], check=True)
        if not (self.data / "PG_VERSION").exists():
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        if self.running() and self.port_file.exists():
            self.port = int(self.port_file.read_text())
            return self
        self.port = free_port()
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-o", options, "start"
        )
        self.port_file.write_text(str(self.port))
        self._started_here = True
        return self

    def stop(self) -> None:
        if self.running():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        self.port_file.unlink(missing_ok=True)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        return self._run(
            str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
            "-Atc", sql,
        ).stdout  # fmt: skip

    def exists(self, database: str) -> bool:
        return self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'").strip() == "1"

    def __enter__(self) -> PrivateServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        if self._started_here:
            self.stop()


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        raise SystemExit(__doc__)
    server = PrivateServer(sys.argv[2])
    if sys.argv[1] == "start":
        server.start()
        print(server.url("postgres"))
    else:
        server.stop()
