"""bench/benchlib.py — helpers shared by the Python benches (used by bench/run-net-bench).

One implementation of each helper: the user switch, percentiles and pc lookup come from
bench/run-start-bench, the /proc readers from bench/run-lifecycle-bench (both loaded as
modules, as run-lifecycle-bench loads run-start-bench). What is new here is the set-up those
two scripts spell out inline: the test user, the shared work dir, a pc bench store with an
image imported, and podman with overlay storage and `--runtime runc` when crun refuses this
machine's hybrid cgroup layout (PLATFORM.md §10).
"""

import importlib.machinery
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def load_script(name):
    """A bench script without a .py suffix, as a module (its main() is not run)."""
    path = os.path.join(HERE, name)
    modname = name.replace("-", "_")
    loader = importlib.machinery.SourceFileLoader(modname, path)
    spec = importlib.util.spec_from_loader(modname, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


_rsb = load_script("run-start-bench")
_rlb = load_script("run-lifecycle-bench")
log, sh, as_user_cmd, percentile, find_pc = _rsb.log, _rsb.sh, _rsb.as_user_cmd, _rsb.percentile, _rsb.find_pc
smaps_rollup, children, comm, measure = _rlb.smaps_rollup, _rlb.children, _rlb.comm, _rlb.measure


def test_user(prog):
    """The unprivileged user that runs everything measured (PC_TEST_USER when root)."""
    if os.getuid() == 0:
        user = os.environ.get("PC_TEST_USER", "tester")
    else:
        user = pwd.getpwuid(os.getuid()).pw_name
    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        sys.exit(f"{prog}: no user {user}: run scripts/deps as root first")
    if os.getuid() == 0 and pw.pw_uid == 0:
        sys.exit(f"{prog}: PC_TEST_USER must be an unprivileged user")
    return pw


def make_workdir(workdir, pw):
    """WORKDIR/UID, owned by the test user (WORKDIR is 1777, shared by the benches)."""
    work = os.path.join(workdir, str(pw.pw_uid))
    if os.getuid() == 0:
        os.makedirs(workdir, exist_ok=True)
        os.chmod(workdir, 0o1777)
        sh(pw, ["mkdir", "-p", work])
    else:
        os.makedirs(work, exist_ok=True)
    return work


def spawn_as_user(pw, argv):
    """A background process of the test user (setpriv and env exec, so the pid is argv's)."""
    return subprocess.Popen(as_user_cmd(pw, argv), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")


def pc_store(pc, work, name):
    """[pc, --root, --runroot] of a private bench store WORK/NAME-root (+ WORK/NAME-run)."""
    return [pc, "--root", os.path.join(work, name + "-root"), "--runroot", os.path.join(work, name + "-run")]


def pc_import(pw, pc_cmd, tar, image, reimport=False):
    """TAR imported as IMAGE into pc_cmd's store (again when reimport); RuntimeError if pc fails."""
    r = sh(pw, pc_cmd + ["images"], check=False)
    if r.returncode != 0:
        raise RuntimeError(f"pc images failed: {r.stderr.decode(errors='replace').strip()[:300]}")
    if reimport or image.encode() not in r.stdout:
        log(f"pc import {tar} {image}")
        sh(pw, pc_cmd + ["import", tar, image])


def setup_podman(pw, tar, image, notes, reimport=False):
    """podman's argv prefix (["podman"] or ["podman", "--runtime", "runc"]) with TAR imported
    as IMAGE and overlay storage for the user, or None (and a note) when podman cannot run."""
    if not shutil.which("podman"):
        notes.append("podman: not installed")
        return None
    conf_dir = os.path.join(pw.pw_dir, ".config", "containers")
    conf = os.path.join(conf_dir, "storage.conf")
    if not os.path.exists(conf):
        log(f"writing {conf} (driver = overlay)")
        sh(pw, ["mkdir", "-p", conf_dir])
        sh(pw, ["sh", "-c", f"printf '[storage]\\ndriver = \"overlay\"\\n' > '{conf}'"])
    driver = sh(pw, ["podman", "info", "--format", "{{.Store.GraphDriverName}}"],
                check=False).stdout.decode().strip()
    if driver != "overlay":
        notes.append(f"podman storage driver is {driver!r}, not overlay")
    if reimport or sh(pw, ["podman", "image", "exists", image], check=False, quiet=True).returncode != 0:
        log(f"podman import {tar} {image}")
        sh(pw, ["podman", "import", tar, image], check=False)
    for cand in (["podman"], ["podman", "--runtime", "runc"]):
        if sh(pw, cand + ["run", "--rm", image, "true"], check=False, quiet=True).returncode == 0:
            if "runc" in cand:
                notes.append("podman: crun refuses this hybrid cgroup layout (PLATFORM.md §10), "
                             "measured with --runtime runc")
            return cand
    notes.append("podman: does not run here, not measured")
    return None


def free_port():
    """A TCP port free on 127.0.0.1 right now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def netns(pid):
    try:
        return os.readlink(f"/proc/{pid}/ns/net")
    except OSError:
        return None


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def ppid(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        for k in children(todo.pop()):
            out.append(k)
            todo.append(k)
    return out


def user_pids(uid):
    pids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.stat(f"/proc/{d}").st_uid == uid:
                    pids.append(int(d))
            except OSError:
                pass
    return pids


def _netns_inode(path):
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _slirp_target_netns(pid, seen_by):
    """The network namespace (as netns() spells it) a slirp4netns process serves: the path
    after --netns-type=path, or the pid before the tap's name. The path is a bind mount in
    podman's mount namespace (slirp4netns itself runs in a sandbox): it is looked up through
    the processes `seen_by` (conmons live there)."""
    args = cmdline(pid)
    if len(args) < 3:
        return None
    target = args[-2]
    if "--netns-type=path" in args:
        for p in seen_by:
            ino = _netns_inode(f"/proc/{p}/root{target}")
            if ino:
                return f"net:[{ino}]"
        return None
    return netns(int(target)) if target.isdigit() else None


def container_processes(uid, ids, payloads):
    """Every process of user UID that runs for the containers ids (full ids, infra included),
    payloads excluded (by command name), whoever else runs at the same time: the processes
    naming one of the ids in their command line (pc's monitors; podman's conmons) and their
    descendants (pc's P1s and pause; podman's catatonit), and the network helpers of those
    containers' network namespaces (podman's slirp4netns, by the namespace it serves or as the
    uplink of its bridge networks, and rootlessport, inside it). The per-user namespace
    holders (pc's __userns-holder, podman's pause process) serve every container of the user
    and are not counted. Returns {pid: command name}."""
    pids = user_pids(uid)
    found = set()
    for pid in pids:
        line = " ".join(cmdline(pid))
        if any(i in line for i in ids):
            found.add(pid)
            found.update(descendants(pid))
    host = netns(os.getpid())
    spaces = {netns(p) for p in found} - {host, None}
    roots = sorted(found)
    for pid in pids:
        if pid in found:
            continue
        name = comm(pid)
        if netns(pid) in spaces or (name == "slirp4netns" and _slirp_target_netns(pid, roots) in spaces):
            found.add(pid)
            found.update(descendants(pid))
            parent = ppid(pid)
            if parent and comm(parent) == "rootlessport":  # its child joins the namespace; it need not
                found.add(parent)
        elif name == "slirp4netns" and spaces and any("rootless-netns" in a for a in cmdline(pid)):
            # podman's uplink of the bridge networks (podman-compose puts a project on one),
            # in its rootless network namespace: it runs for these containers.
            found.add(pid)
    return {pid: comm(pid) for pid in found if comm(pid) not in payloads}


def tool_ids(pw, cmd, pod=None, label=None):
    """Full ids of a pod's containers (its infra included), or of those with a label (and of
    every container of their pods), as the tool (pc or podman) lists them."""
    def ids(filt):
        r = sh(pw, cmd + ["ps", "-a", "--no-trunc", "--filter", filt, "--format", "{{.ID}}"], check=False, quiet=True)
        return [x for x in r.stdout.decode().split() if x]
    out = set()
    pods = {pod} if pod else set()
    if label:
        out.update(ids(f"label={label}"))
        r = sh(pw, cmd + ["ps", "-a", "--filter", f"label={label}", "--format", "{{.Pod}}"], check=False, quiet=True)
        pods.update(x for x in r.stdout.decode().split() if x)
    for p in pods:
        out.update(ids(f"pod={p}"))
    return out


def pss_of(procs):
    """Summed Pss (KiB) of {pid: name} and the processes counted, by name."""
    total, counted = 0, {}
    for pid, name in procs.items():
        s = smaps_rollup(pid)
        if not s:
            continue
        total += s.get("Pss", 0)
        counted[name] = counted.get(name, 0) + 1
    return total, counted
