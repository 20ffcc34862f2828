#!/usr/bin/env bash
# Installs the system packages sim-cascade builds against, when missing (Debian 12).
# Called by scripts/demo.sh and scripts/test.sh; safe to run repeatedly.
set -euo pipefail

# postgresql: the txn system level's server (initdb, pg_ctl, postgres and the `postgres` user it
# runs as under root); libpq-dev: its client library, which sim-cascade links.
packages=(libopenblas-dev liblapacke-dev libsqlite3-dev libseccomp-dev pkg-config libpq-dev postgresql)
missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

# The test suite's fixture servers and fuzzer are Python scripts (standard library only); the
# prefix rendering's differential test runs pandas in a venv.
if ! command -v python3 >/dev/null 2>&1; then missing+=(python3); fi
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then missing+=(python3-venv); fi

if ((${#missing[@]})); then
    echo "installing system packages: ${missing[*]}" >&2
    if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
    if [[ " ${missing[*]} " == *" postgresql "* ]]; then
        # sim-cascade starts its own servers on unix sockets of their own: Debian's package must
        # not create (and start) a cluster of its own on port 5432.
        "${sudo[@]}" mkdir -p /etc/postgresql-common/createcluster.d
        echo "create_main_cluster = false" | "${sudo[@]}" tee /etc/postgresql-common/createcluster.d/sim-cascade.conf >/dev/null
        conf=/etc/postgresql-common/createcluster.conf
        if [[ -f $conf ]]; then
            "${sudo[@]}" sed -i -E 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' "$conf"
            grep -q '^create_main_cluster = false' "$conf" || echo "create_main_cluster = false" | "${sudo[@]}" tee -a "$conf" >/dev/null
        else
            echo "create_main_cluster = false" | "${sudo[@]}" tee "$conf" >/dev/null
        fi
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >&2
fi

if ! command -v swift >/dev/null 2>&1; then
    if [[ -x /opt/swift/usr/bin/swift ]]; then
        echo "note: add /opt/swift/usr/bin to PATH" >&2
    else
        echo "error: swift not found; install Swift 6.3 (https://swift.org/install)" >&2
        exit 1
    fi
fi
