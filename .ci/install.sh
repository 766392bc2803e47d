#!/usr/bin/env bash
# Install what the bot and its tests need on a fresh Debian machine, and nothing when it is already
# there: the services the tests run against (PostgreSQL, Redis), Chromium for the browser tests, and
# the Python dependencies in .venv. Safe to run before every run. `--runtime` installs only what the
# bot itself needs on its embedded default (Python packages; no servers, no browser).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runtime_only=false
[[ ${1:-} == --runtime ]] && runtime_only=true

packages=()
$runtime_only || packages+=(postgresql redis-server chromium)
[[ -x .venv/bin/python ]] || packages+=(python3 python3-venv)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
        || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "install.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[[ -x .venv/bin/python ]] || python3 -m venv .venv

# The dependencies declared in pyproject.toml (main, test and bench extras), read at each run so a
# newly added one is installed. pip is asked only for those not installed in a version the file
# allows (or naming extras, which pip checks): asking it about all of them at every run cost about
# 2.7 s of CPU when nothing was missing. The project itself is
# not installed: the scripts run `python -m bot` and pytest from the repository root, so they always
# run the checkout's code; an installed copy could go stale unnoticed, and an editable one would
# point one venv's `csbot` at whichever checkout installed it last. `pip install .` is for users
# (README "Install").
# Read into a variable first: `set -e` sees the helper fail (a process substitution's status is lost,
# and an empty list would pass for "nothing missing").
missing=$(.venv/bin/python - "$runtime_only" <<'PY'
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version

project = tomllib.load(open("pyproject.toml", "rb"))["project"]
extras = project.get("optional-dependencies", {})
groups = [] if sys.argv[1] == "true" else ["test", "bench"]
lines = [*project["dependencies"], *(r for group in groups for r in extras.get(group, []))]
try:
    from packaging.requirements import Requirement
except ImportError:  # a new venv: everything goes to pip
    print(*lines, sep="\n")
    sys.exit()
for line in lines:
    requirement = Requirement(line)
    if requirement.marker is not None and not requirement.marker.evaluate():
        continue
    try:
        installed = version(requirement.name)
    except PackageNotFoundError:
        installed = None
    if installed is None or requirement.extras or not requirement.specifier.contains(installed, prereleases=True):
        print(line)
PY
)
mapfile -t requirements <<<"$missing"
if [[ -n $missing ]]; then
    .venv/bin/python -m pip install -q "${requirements[@]}"
fi
