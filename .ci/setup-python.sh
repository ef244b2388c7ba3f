#!/usr/bin/env bash
# Installs the Python tools that cfconsole's tests check exports and the AWS backend against,
# into a virtualenv (default .venv at the repository root):
#   awscli      - the AWS CLI and botocore (parameter validation of CLI JSON exports)
#   cfn-lint    - CloudFormation template linter with the AWS resource schemas
#   moto[server]- CloudFront API emulator (moto_server) for the AWS CLI and the control plane
# at the versions pinned in .ci/python-requirements.txt.
#
# Safe to run again: an existing venv is reused and pip leaves satisfied requirements alone.
# Afterwards, put the tools on PATH for `cargo test`:
#   export PATH="$PWD/.venv/bin:$PATH"
# (or source the lines this script prints at the end).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv="${CFCONSOLE_VENV:-.venv}"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    if ! "$python" -m venv "$venv"; then
        echo "error: '$python -m venv' failed; on Debian/Ubuntu install python3-venv" >&2
        exit 1
    fi
fi

# Pinned, dependencies included (.ci/python-requirements.txt says how to update the pins): an
# unpinned install gets whatever the registry serves today, and a new moto changed what the AWS
# backend's tests see. pip leaves a requirement that is already met alone, and moves one that is
# not to its pinned version.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r .ci/python-requirements.txt

"$venv/bin/python" - <<'PY'
import importlib.metadata as m
print("python tools:", ", ".join(f"{p} {m.version(p)}" for p in ("awscli", "botocore", "cfn-lint", "moto")))
PY
for bin in aws cfn-lint moto_server; do
    if [[ ! -x "$venv/bin/$bin" ]]; then
        echo "error: $venv/bin/$bin missing after install" >&2
        exit 1
    fi
done

abs="$(cd "$venv" && pwd)"
cat <<ENV
# To use these tools from cargo test:
export PATH="$abs/bin:\$PATH"
export CFCONSOLE_PYTHON="$abs/bin/python" AWS_CLI="$abs/bin/aws" CFN_LINT="$abs/bin/cfn-lint" MOTO_SERVER="$abs/bin/moto_server"
ENV
