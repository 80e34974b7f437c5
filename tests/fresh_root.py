"""A fresh Debian 12 machine for the README's set-up commands: a debootstrap root, entered with chroot.

The base root (``debootstrap --variant=minbase bookworm`` with only python3 added: what a stock
Debian image or container gives you) is built once and cached as a tar file; every test run unpacks
a new copy, so each run starts from the same untouched machine. The host's package-registry
settings (apt sources and configuration, pip configuration, CA certificates) are copied in as
they are, so the root reaches the same registries as the host.

Commands run inside through ``unshare --mount --pid --fork --kill-child`` + ``chroot``: the
/proc, /dev and X socket mounts exist only in that private namespace (the host never sees them,
so deleting the root cannot touch the host's /dev), and every process started inside dies with it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import platform
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SUITE = "bookworm"  # Debian 12
VARIANT = "minbase"
INCLUDE = "python3"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
INSIDE_ENV = "DENTALDESK_INSIDE_FRESH_MACHINE"
CHECKOUT_IN_ROOT = "/root/dentaldesk"

# Settings copied from the host into the root as they are (absent ones are left out).
APT_SETTINGS = (
    "/etc/apt/sources.list",
    "/etc/apt/sources.list.d",
    "/etc/apt/apt.conf.d",
    "/etc/apt/auth.conf.d",
    "/etc/apt/preferences.d",
    "/etc/apt/trusted.gpg.d",
    "/etc/apt/keyrings",
)
PIP_SETTINGS = ("/etc/pip.conf", "/etc/xdg/pip", "~/.config/pip", "~/.pip")
CA_SETTINGS = ("/etc/ssl/certs", "/usr/local/share/ca-certificates")
NETWORK_SETTINGS = ("/etc/resolv.conf", "/etc/hosts")
# Environment variables that configure pip and the TLS and proxy settings registries are reached
# with; everything else of the host's environment stays out (a fresh machine has none of it).
REGISTRY_ENV = re.compile(
    r"^(PIP_\w+|SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|"
    r"(?i:https?_proxy|no_proxy|all_proxy))$"
)

_ENTER = r"""
set -eu
R=$1; shift
mount -t proc proc "$R/proc"
mount -t tmpfs -o mode=0755 tmpfs "$R/dev"
for d in null zero full random urandom tty; do : > "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$R/dev/pts" 2>/dev/null || mount --bind /dev/pts "$R/dev/pts"
mount -t tmpfs tmpfs "$R/dev/shm"
ln -s pts/ptmx "$R/dev/ptmx"
ln -s /proc/self/fd "$R/dev/fd"
ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"
if [ -d /tmp/.X11-unix ]; then mkdir -p "$R/tmp/.X11-unix"; mount --bind /tmp/.X11-unix "$R/tmp/.X11-unix"; fi
exec chroot "$R" /usr/bin/env -i "$@"
"""


def host_mirror() -> str:
    """The Debian mirror the host's apt uses for bookworm (deb822 or one-line sources), else deb.debian.org."""
    texts = []
    for path in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]:
        if path.is_file() and path.suffix in (".list", ".sources"):
            texts.append((path.suffix, path.read_text(encoding="utf-8", errors="replace")))
    for suffix, text in texts:
        if suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields = dict(
                    (k.strip().lower(), v.strip())
                    for k, _, v in (line.partition(":") for line in stanza.splitlines() if not line.startswith("#"))
                    if v
                )
                if SUITE in fields.get("suites", "").split() and "deb" in fields.get("types", "").split():
                    return fields["uris"].split()[0]
        else:
            for line in text.splitlines():
                parts = [p for p in line.split() if not p.startswith("[")]
                if len(parts) >= 3 and parts[0] == "deb" and parts[2] == SUITE:
                    return parts[1]
    return DEFAULT_MIRROR


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "dentaldesk-tests"


def base_root_tar(log: Path) -> tuple[Path, bool]:
    """The cached base root (built with debootstrap the first time); returns (tar, was it cached)."""
    mirror = host_mirror()
    key = hashlib.sha256(f"{SUITE} {VARIANT} {INCLUDE} {mirror} {platform.machine()} v2".encode()).hexdigest()[:16]
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    tar = folder / f"debian12-{VARIANT}-{INCLUDE}-{key}.tar"
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another checkout's CI may be building the same root
        if tar.exists():
            return tar, True
        for old in folder.glob("debian12-*.tar"):
            old.unlink()
        build = Path(tempfile.mkdtemp(prefix="root-", dir=folder))
        try:
            with open(log, "ab") as out:
                done = subprocess.run(
                    ["debootstrap", f"--variant={VARIANT}", f"--include={INCLUDE}", SUITE, str(build), mirror],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=1200,
                )
            if done.returncode != 0:
                raise RuntimeError(f"debootstrap failed with exit code {done.returncode}; see {log}")
            build.chmod(0o755)  # mkdtemp made it 0700: inside the chroot that is "/", closed to postgres
            partial = tar.with_suffix(".partial")
            subprocess.run(["tar", "-C", str(build), "-cf", str(partial), "."], check=True)
            partial.rename(tar)
        finally:
            shutil.rmtree(build, ignore_errors=True)
        return tar, False


def _copy_into(root: Path, host_path: str) -> None:
    """The host's file or folder at the same place in the root, replacing the root's own (or removing
    it when the host has none: a debootstrap sources.list beside the host's sources.list.d would
    configure the archive twice)."""
    source = Path(os.path.expanduser(host_path))
    inside = root / str(source).lstrip("/")
    if not source.exists():
        if inside.is_file() and host_path in APT_SETTINGS:
            inside.unlink()
        return
    if source.is_dir():
        if inside.exists() and not inside.is_symlink():
            shutil.rmtree(inside)
        # symlinks=False: /etc/ssl/certs links into /usr/share/ca-certificates, which the root lacks
        shutil.copytree(source, inside, symlinks=False, ignore_dangling_symlinks=True)
    else:
        inside.parent.mkdir(parents=True, exist_ok=True)
        if inside.is_symlink() or inside.exists():
            inside.unlink()
        shutil.copyfile(source, inside)


def checkout_files(checkout: Path) -> list[str]:
    """The files of the checkout as git sees them (tracked and new, not ignored: no .venv/ or build/)."""
    done = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=checkout,
        capture_output=True,
        check=True,
    )
    return [name for name in done.stdout.decode().split("\0") if name and (checkout / name).is_file()]


@dataclass
class FreshRoot:
    path: Path
    display: str | None = None

    @classmethod
    def unpack(cls, tar: Path, where: Path, checkout: Path) -> FreshRoot:
        """A new root from the cached base, with the host's registry settings and the checkout in it."""
        where.mkdir(parents=True)
        subprocess.run(["tar", "-C", str(where), "-xf", str(tar)], check=True)
        where.chmod(0o755)
        for setting in (*APT_SETTINGS, *PIP_SETTINGS, *CA_SETTINGS, *NETWORK_SETTINGS):
            _copy_into(where, setting)
        if os.environ.get("PIP_CONFIG_FILE"):
            _copy_into(where, os.environ["PIP_CONFIG_FILE"])
        target = where / CHECKOUT_IN_ROOT.lstrip("/")
        for name in checkout_files(checkout):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(checkout / name, target / name)
        return cls(where)

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """A fresh machine's login environment, the host's registry settings, and ``extra``."""
        env = {
            "HOME": "/root",
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "TERM": "dumb",
            INSIDE_ENV: "1",
        }
        env.update({k: v for k, v in os.environ.items() if REGISTRY_ENV.match(k)})
        if os.environ.get("CI"):
            env["CI"] = os.environ["CI"]
        if self.display:
            env["DISPLAY"] = self.display
        env.update(extra or {})
        return env

    def command(
        self, shell_command: str, *, cwd: str = CHECKOUT_IN_ROOT, env: Mapping[str, str] | None = None
    ) -> list[str]:
        """The host command that runs ``shell_command`` with bash inside the root, in ``cwd``."""
        assignments = [f"{k}={v}" for k, v in self.environment(env).items()]
        inner = f"cd {shlex.quote(cwd)} && {shell_command}"
        return [
            "unshare",
            "--mount",
            "--pid",
            "--fork",
            "--kill-child",
            "--propagation",
            "private",
            "sh",
            "-c",
            _ENTER,
            "enter",
            str(self.path),
            *assignments,
            "bash",
            "-c",
            inner,
        ]
