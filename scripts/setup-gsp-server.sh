#!/usr/bin/env bash
# The Oxigraph server (`oxigraph serve`): a real SPARQL 1.1 Graph Store Protocol
# endpoint for the push tests (issue 4, item 3; tests/test_push.py).
# It comes from PyPI: the `oxigraph` package ships the server binary in its wheel
# (the `pyoxigraph` bindings the project uses have no server). It is installed in
# its own virtual environment and linked as /usr/local/bin/oxigraph, so the
# project's test venv finds it on PATH.
# CI runs this as root before the tests; running it again does nothing.
set -euo pipefail
SPEC='oxigraph>=0.5,<0.6'
PREFIX=/opt/kg-builder/oxigraph
LINK=/usr/local/bin/oxigraph

if command -v oxigraph >/dev/null 2>&1 && oxigraph --version >/dev/null 2>&1; then
    echo "oxigraph already installed: $(oxigraph --version)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "setup-gsp-server.sh: run as root, or: python3 -m pip install '$SPEC'" >&2
    exit 1
fi
if ! /usr/bin/python3 -m venv --help >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi
if [ ! -x "$PREFIX/bin/pip" ]; then
    rm -rf "$PREFIX"
    /usr/bin/python3 -m venv "$PREFIX"
fi
"$PREFIX/bin/pip" install --quiet --disable-pip-version-check "$SPEC"
ln -sf "$PREFIX/bin/oxigraph" "$LINK"
echo "oxigraph installed: $("$LINK" --version)"
