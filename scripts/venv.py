"""Set up `.venv` for run.sh and test.sh, once; later runs check it and start offline.

    python3 scripts/venv.py [--extras test]

- The Python range comes from pyproject.toml's `requires-python`; an unsupported interpreter is
  refused before anything is installed, with the versions found and how to get another.
- A `.venv` whose Python no longer runs or is out of range is rebuilt.
- torch is installed first, pinned as in pyproject.toml, from the PyTorch CPU index when it can
  be reached (the default index gives a multi-GB CUDA build); TORCH_INDEX picks another index.
- The assistant is installed editable with the extras asked for, without build isolation (so a
  reinstall needs no network), pip's output going to .venv/install.log.
- A stamp records what was installed (pyproject.toml's hash, the extras, the Python); nothing is
  installed again until pyproject.toml changes or an installed package goes missing.

Standard library only: it runs on whatever `python3` the machine has (3.6 or later).
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYPROJECT = os.path.join(ROOT, "pyproject.toml")
VENV = os.path.join(ROOT, ".venv")
VENV_PYTHON = os.path.join(VENV, "bin", "python")
STAMP = os.path.join(VENV, ".assistant-setup.json")
LOG = os.path.join(VENV, "install.log")
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CANDIDATES = ("python3.11", "python3.12", "python3")

# Run inside the venv: is every requirement of the installed assistant (with the extras) present
# at a version it accepts, and does `import assistant` find this checkout?
HEALTH = r"""
import importlib.metadata as md, json, os, sys
extras, root = set(json.loads(sys.argv[1])), sys.argv[2]
try:
    from pip._vendor.packaging.requirements import Requirement
except ImportError:
    Requirement = None
problems = []
try:
    reqs = md.distribution("assistant").requires or []
except md.PackageNotFoundError:
    reqs, problems = [], ["the assistant is not installed"]
for line in reqs:
    if Requirement is None:
        continue
    req = Requirement(line)
    if req.marker is not None and not any(req.marker.evaluate({"extra": e}) for e in extras | {""}):
        continue
    try:
        have = md.version(req.name)
    except md.PackageNotFoundError:
        problems.append(f"{req.name} is missing")
        continue
    if req.specifier and not req.specifier.contains(have, prereleases=True):
        problems.append(f"{req.name} {have} is installed, {req} is needed")
import importlib.util
spec = importlib.util.find_spec("assistant")
where = os.path.realpath(spec.origin) if spec and spec.origin else ""
if not where.startswith(os.path.realpath(root) + os.sep):
    problems.append("`import assistant` does not find this checkout" + (f" ({where})" if where else ""))
print("; ".join(problems[:4]))
"""


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def read_pyproject():
    with open(PYPROJECT, encoding="utf-8") as fh:
        return fh.read()


def python_range(text):
    """(lowest, first unsupported) minor versions from requires-python, e.g. ((3, 11), (3, 13))."""
    m = re.search(r'^requires-python\s*=\s*"([^"]+)"', text, re.M)
    spec = m.group(1) if m else ""
    lo = re.search(r">=\s*(\d+)\.(\d+)", spec)
    hi = re.search(r"<\s*(\d+)\.(\d+)", spec)
    return (
        (int(lo.group(1)), int(lo.group(2))) if lo else (3, 0),
        (int(hi.group(1)), int(hi.group(2))) if hi else (4, 0),
        spec,
    )


def pinned(text, name):
    m = re.search(r'"%s\s*(==[^";]+)"' % re.escape(name), text)
    return name + m.group(1).strip() if m else name


def build_requires(text):
    m = re.search(r"^\[build-system\].*?^requires\s*=\s*\[([^\]]*)\]", text, re.M | re.S)
    return re.findall(r'"([^"]+)"', m.group(1)) if m else []


def version_of(python):
    """(major, minor, full) of an interpreter, or None when it does not run."""
    try:
        out = subprocess.run(
            [
                python,
                "-c",
                "import sys; print('%d %d %s' % (sys.version_info[0], sys.version_info[1], sys.version.split()[0]))",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=60,
            check=True,
        )
        major, minor, full = out.stdout.decode().split()
        return int(major), int(minor), full
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def describe(lo, hi):
    last = (hi[0], hi[1] - 1) if hi[1] > 0 else None
    versions = ["%d.%d" % (lo[0], m) for m in range(lo[1], last[1] + 1)] if last and last[0] == lo[0] else []
    return " or ".join(versions) if 0 < len(versions) <= 3 else "%d.%d or later" % lo


def choose_python(lo, hi, spec):
    """The interpreter to build .venv with: $PYTHON if set, else the first supported candidate."""
    wanted = [os.environ["PYTHON"]] if os.environ.get("PYTHON") else list(CANDIDATES)
    found = []
    for name in wanted:
        path = shutil.which(name) or (name if os.path.isfile(name) else None)
        if not path:
            continue
        v = version_of(path)
        if v is None:
            found.append("%s (does not run)" % name)
            continue
        if lo <= v[:2] < hi:
            return path, v[2]
        found.append("%s is %s" % (name, v[2]))
    say(
        "setup: the assistant needs Python %s (pyproject.toml: requires-python %s); %s."
        % (
            describe(lo, hi),
            spec,
            "found: " + ", ".join(found) if found else "none of %s was found" % ", ".join(wanted),
        )
    )
    say(
        "  Install one (Debian/Ubuntu: sudo apt install python3.11-venv; or pyenv install 3.12) and run again,\n"
        "  or name it: PYTHON=/path/to/python3.12 ./run.sh"
    )
    sys.exit(3)


def venv_problem(lo, hi):
    """Why the existing .venv cannot be used (None when it can)."""
    if not os.path.lexists(VENV_PYTHON):
        return "it has no bin/python (an interrupted setup?)"
    v = version_of(VENV_PYTHON)
    if v is None:
        return "its Python no longer runs (was the interpreter it was made from removed or upgraded?)"
    if not lo <= v[:2] < hi:
        return "it was made with Python %s, which is not supported" % v[2]
    pip = subprocess.run([VENV_PYTHON, "-m", "pip", "--version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return "pip does not run in it" if pip.returncode else None


def make_venv(python, version):
    say(
        "Setting up .venv with Python %s (first start only: a few minutes; 1-2 GB with the CPU build of "
        "torch)…" % version
    )
    try:
        subprocess.run([python, "-m", "venv", VENV], check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(VENV, ignore_errors=True)
        out = exc.output.decode(errors="replace")
        say(out.strip()[-800:])
        if "ensurepip" in out:
            say(
                "setup: this Python cannot make virtual environments; on Debian/Ubuntu install its venv "
                "package (sudo apt install python%s-venv) and run again." % ".".join(version.split(".")[:2])
            )
        else:
            say("setup: `%s -m venv .venv` failed (above)." % python)
        sys.exit(3)


def read_stamp():
    try:
        with open(STAMP, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def health(extras):
    out = subprocess.run(
        [VENV_PYTHON, "-c", HEALTH, json.dumps(sorted(extras)), ROOT],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, PYTHONPATH=""),
    )
    text = out.stdout.decode(errors="replace").strip()
    return text if out.returncode == 0 else (text.splitlines() or ["the check failed"])[-1]


def pip(args, *, step):
    """Run pip in the venv, its output appended to the install log; on a terminal, one line shows
    what it is fetching. Returns True when it succeeded."""
    cmd = [VENV_PYTHON, "-m", "pip", "--disable-pip-version-check", *args]
    tty = sys.stderr.isatty()
    with open(LOG, "a", encoding="utf-8") as log:
        log.write("\n$ %s\n" % " ".join(cmd))
        log.flush()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
        for raw in proc.stdout:
            line = raw.decode(errors="replace")
            log.write(line)
            m = re.match(r"\s*(Collecting|Downloading|Installing collected|Building|Successfully)\s*(\S*)", line)
            if tty and m:
                sys.stderr.write("\r\033[K  %s: %s %s" % (step, m.group(1).lower(), m.group(2)[:60]))
                sys.stderr.flush()
        proc.wait()
    if tty:
        sys.stderr.write("\r\033[K")
    say("  %s: %s" % (step, "done" if proc.returncode == 0 else "FAILED"))
    return proc.returncode == 0


def torch_index():
    """--index-url for torch: $TORCH_INDEX, else the PyTorch CPU index when it answers, else
    the default index (pip's configuration decides)."""
    if os.environ.get("TORCH_INDEX"):
        return ["--index-url", os.environ["TORCH_INDEX"]]
    try:
        urllib.request.urlopen(CPU_INDEX + "/torch/", timeout=8).close()
        return ["--index-url", CPU_INDEX]
    except Exception:
        return []


def torch_ok(requirement):
    want = requirement.split("==", 1)[1] if "==" in requirement else None
    code = (
        "import importlib.metadata as m, sys; v = m.version('torch'); "
        "sys.exit(0 if %r is None or v.split('+')[0] == %r else 1)" % (want, want)
    )
    done = subprocess.run([VENV_PYTHON, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return done.returncode == 0


def install(text, extras):
    """Install torch (once), the build backend and the assistant with `extras`. True on success."""
    torch = pinned(text, "torch")
    if not torch_ok(torch):
        index = torch_index()
        where = (
            ("from %s" % index[1])
            if index
            else "from the default index (the PyTorch CPU index is not reachable; elsewhere that can be a large CUDA build)"
        )
        say("  installing %s %s" % (torch, where))
        if not pip(["install", torch, *index], step="torch"):
            return False
    if not pip(["install", *build_requires(text)], step="build tools"):
        return False
    target = "." + ("[%s]" % ",".join(sorted(extras)) if extras else "")
    return pip(["install", "--no-build-isolation", "-e", target], step="assistant and its dependencies")


def main(argv):
    extras = set()
    if "--extras" in argv:
        extras = {e for e in argv[argv.index("--extras") + 1].split(",") if e}
    text = read_pyproject()
    lo, hi, spec = python_range(text)
    if os.path.isdir(VENV) or os.path.lexists(VENV):
        problem = venv_problem(lo, hi)
        if problem:
            say("setup: .venv cannot be used: %s; rebuilding it." % problem)
            if os.path.islink(VENV) or os.path.isfile(VENV):
                os.unlink(VENV)
            else:
                shutil.rmtree(VENV)
    if not os.path.exists(VENV_PYTHON):
        python, version = choose_python(lo, hi, spec)
        make_venv(python, version)
    digest = hashlib.sha256(text.encode()).hexdigest()
    stamp = read_stamp()
    if stamp and stamp.get("pyproject") == digest and extras <= set(stamp.get("extras", [])):
        problem = health(set(stamp.get("extras", [])))
        if not problem:
            return 0
        say("setup: the installed packages need repair (%s); installing again." % problem)
    elif stamp and stamp.get("pyproject") == digest:
        say("setup: adding the extras %s to .venv." % ", ".join(sorted(extras - set(stamp.get("extras", [])))))
    elif stamp:
        say("setup: pyproject.toml changed since the last install; updating .venv.")
    extras |= set(stamp.get("extras", [])) if stamp else set()
    if install(text, extras):
        with open(STAMP, "w", encoding="utf-8") as fh:
            version = (version_of(VENV_PYTHON) or ("?",))[-1]
            json.dump({"pyproject": digest, "extras": sorted(extras), "python": version}, fh)
        return 0
    if stamp and not health(set(stamp.get("extras", []))):
        say(
            "setup: updating the packages failed (no network?); going on with the ones installed before. "
            "Details: .venv/install.log"
        )
        return 0
    say("setup: installing failed; the last lines of .venv/install.log:")
    with open(LOG, encoding="utf-8", errors="replace") as fh:
        say("".join(fh.readlines()[-15:]).rstrip())
    say(
        "The first start needs the package index once (later starts work offline). Behind a proxy, set "
        "HTTPS_PROXY; for another torch index, TORCH_INDEX=URL."
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
