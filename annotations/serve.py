"""A local Label Studio bound to 127.0.0.1, run from its own venv by
``scripts/labelstudio-serve.sh`` (label-studio pins numpy and Django, so it never
shares the project's venv).

The first user and its API token are made once per data directory and kept in
``DATA_DIR/nianbao-credentials.json`` (mode 600), unless the ``LABEL_STUDIO_USERNAME`` /
``LABEL_STUDIO_PASSWORD`` / ``LABEL_STUDIO_USER_TOKEN`` environment gives them.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from extraction.paths import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "labelstudio-serve.sh"
LS_VENV = REPO_ROOT / ".ls-venv"
DATA_DIR = REPO_ROOT / ".ls-data"
CREDENTIALS_FILE = "nianbao-credentials.json"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    token: str


@dataclass
class Server:
    """A started server: its process, address, token and log file."""

    process: subprocess.Popen
    port: int
    token: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def installed(venv: Path = LS_VENV) -> bool:
    return (venv / "bin" / "label-studio").exists() and (venv / "nianbao-template" / "label_studio.sqlite3").exists()


def install(venv: Path = LS_VENV) -> None:
    """Create the server's venv (minutes the first time; nothing when it is there)."""
    subprocess.run([str(SCRIPT), "install"], env={**os.environ, "LS_VENV": str(venv)}, check=True)


def credentials(data_dir: Path = DATA_DIR) -> Credentials:
    """The first user of ``data_dir``: from the environment, else those made for it
    before, else new random ones (saved beside the database)."""
    env = [os.environ.get(f"LABEL_STUDIO_{k}") for k in ("USERNAME", "PASSWORD", "USER_TOKEN")]
    if all(env):
        return Credentials(*env)
    path = Path(data_dir) / CREDENTIALS_FILE
    if path.exists():
        return Credentials(**json.loads(path.read_text(encoding="utf-8")))
    creds = Credentials("annotator@localhost", secrets.token_urlsafe(12), secrets.token_hex(20))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(creds)), encoding="utf-8")
    path.chmod(0o600)
    return creds


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start(data_dir: Path = DATA_DIR, port: int | None = None, venv: Path = LS_VENV) -> Server:
    """Start the server in the background (its own process group); see :func:`wait_ready`."""
    if not installed(venv):
        raise FileNotFoundError(f"Label Studio is not installed in {venv}: run `nianbao al serve --install` "
                                f"or `{SCRIPT.relative_to(REPO_ROOT)} install`")
    data_dir = Path(data_dir).resolve()
    creds = credentials(data_dir)
    port = port or free_port()
    log = data_dir / "server.log"
    env = {**os.environ, "LS_VENV": str(venv), "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
           "LABEL_STUDIO_USERNAME": creds.username, "LABEL_STUDIO_PASSWORD": creds.password,
           "LABEL_STUDIO_USER_TOKEN": creds.token}
    with open(log, "ab") as out:
        proc = subprocess.Popen([str(SCRIPT), "start", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    return Server(proc, port, creds.token, log)


def wait_ready(server: Server, timeout: float = 300.0) -> float:
    """Wait until the server answers ``/health``; the seconds it took. Raises
    ``RuntimeError`` with the end of the log if it exits or the time runs out."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if server.process.poll() is not None:
            raise RuntimeError(f"Label Studio exited with status {server.process.returncode}:\n{_tail(server.log)}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=5) as r:
                if r.status == 200:
                    return time.monotonic() - t0
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    raise RuntimeError(f"Label Studio did not answer within {timeout:.0f} s:\n{_tail(server.log)}")


def stop(server: Server, timeout: float = 30.0) -> None:
    """Stop the server by its PID: SIGTERM, then SIGKILL if it has not gone in ``timeout`` s."""
    if server.process.poll() is not None:
        return
    os.kill(server.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.kill(server.pid, signal.SIGKILL)
        server.process.wait(10)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
