#!/usr/bin/env bash
# Graphviz's `dot`, which `generate.py graph` draws with: nothing to do when it
# is on PATH; installed with apt-get, saying so, when this is Debian/Ubuntu and
# we are root; otherwise one line saying how to install it (never fails: the
# rest of the demo does not need it).
set -uo pipefail

if command -v dot >/dev/null; then
    echo "    Graphviz: $(dot -V 2>&1)"
    exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "    Graphviz is missing: apt-get install graphviz (Debian's package, about 10 s)"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get install -y -qq --no-install-recommends graphviz >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 &&
            apt-get install -y -qq --no-install-recommends graphviz >/dev/null 2>&1; }; then
        echo "    Graphviz: $(dot -V 2>&1)"
        exit 0
    fi
    echo "    apt-get install graphviz failed; 'generate.py graph -o x.dot' still writes the text"
    exit 0
fi
echo "    Graphviz's dot is not installed, so the picture is skipped (Debian/Ubuntu:" \
    "sudo apt-get install graphviz; macOS: brew install graphviz)"
