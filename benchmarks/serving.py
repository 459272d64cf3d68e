"""Running the portal and the benchmarks in processes of their own.

- `free_port`: a loopback port nobody listens on (several benchmarks may run on one machine);
- `gunicorn`: the portal served by gunicorn (`config.wsgi`, two workers) on a loopback port, in a
  process group of its own, ready (/healthz answers 200) when the block starts and stopped, group
  and all, when it ends;
- `locust_command`: the residents of benchmarks/locustfile.py, headless, against a served portal;
- `scratch_sqlite`: DATABASE_URL, unless set, on a new SQLite file for a served run;
- `run_in_own_process`: a benchmark script run for one database in a child process (so that each
  database gets its own Django set-up), its result read back from its --json file.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A loopback port nobody listens on (several benchmarks may run on one machine)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(port: int, attempts: int = 200) -> None:
    """Until http://127.0.0.1:<port>/healthz answers 200; SystemExit if it never does."""
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM to the process group of `process` (started with start_new_session), SIGKILL to
    what is left after `timeout` seconds."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        process.wait()
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def gunicorn(port: int, env: dict, workers: int = 2):
    """gunicorn serving the portal on 127.0.0.1:<port> with these environment variables; the
    block starts once it answers /healthz, and the server is stopped when the block ends."""
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_for_server(port)
        yield server
    finally:
        stop(server)


def locust_command(users: int, seconds: int, host: str, stats_prefix: Path) -> list[str]:
    """Locust running benchmarks/locustfile.py headless: `users` residents (a fifth of them
    started each second) for `seconds`, its figures in <stats_prefix>_stats.csv."""
    return [
        str(VENV_BIN / "locust"),
        "-f",
        str(ROOT / "benchmarks" / "locustfile.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(max(users // 5, 1)),
        "-t",
        f"{seconds}s",
        "--host",
        host,
        "--csv",
        str(stats_prefix),
        "--only-summary",
        "--stop-timeout",
        "5",
    ]


def scratch_sqlite(name: str) -> None:
    """Unless DATABASE_URL is set, point it at a new SQLite file var/<name>.sqlite3 (a former
    one, with its WAL files, removed)."""
    if os.environ.get("DATABASE_URL"):
        return
    database = ROOT / "var" / f"{name}.sqlite3"
    database.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"


def run_in_own_process(script: str, bench: str, database: str, options: list[str]) -> dict:
    """`script --database=<database> <options>` in a child process, writing its result to
    var/bench/<bench>-<database>.json; that result."""
    out = ROOT / "var" / "bench" / f"{bench}-{database}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    subprocess.run([sys.executable, script, f"--database={database}", *options, f"--json={out}"], check=True)
    return json.loads(out.read_text())
