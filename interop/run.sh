#!/usr/bin/env bash
# Interop: SOAP stacks nobody here wrote, against ours, each with its own seal code.
#   - zeep (Python, from PyPI), PHP's SoapClient (Debian's php-soap) and node-soap (npm's `soap`)
#     load the simulator's published WSDL and drive a wallet's whole life, verifying every response
#     seal; a Latin-1 PHP shop sends accents through SoapClient (encoding ISO-8859-1) and posts
#     ISO-8859-1 itself;
#   - PHP's SoapServer, built from our WSDL, answers our client, which verifies its seals;
#   - JAX-WS wsimport (Debian's jaxws) generates a Java client from our WSDL with no flags, and
#     that client drives a wallet's whole life against the simulator;
#   - a CXF-shaped WSDL with no documentation, and our WSDL made unqualified, given through
#     SIPS_WALLET_WSDL_DIR, build and run the tour; each build checked against its own folder is
#     the same contract, and the default build against the unqualified bank names the fix.
# Installs what it needs: zeep in a virtualenv and node-soap under target/, php-cli, php-soap, jaxws
# and nodejs with npm through apt (as root). Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "interop: $* missing; install them (apt-get install $*) or run as root" >&2
        exit 1
    fi
    # Said out loud, and never upgrading what the machine already has.
    echo "interop: installing $* through apt-get (the foreign SOAP stacks this suite runs)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-upgrade "$@" >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-upgrade "$@" >/dev/null; }
}

# Where cargo puts what it builds: CARGO_TARGET_DIR when set, as cargo itself reads it.
target=${CARGO_TARGET_DIR:-target}
venv=$target/zeep-venv
if ! "$venv/bin/python" -c "import zeep" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q "zeep==4.3.1"
fi
if ! php -m 2>/dev/null | grep -qx soap; then
    apt_install php-cli php-soap
fi
if ! command -v wsimport >/dev/null; then
    apt_install jaxws
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
fi
node_modules=$target/node-soap/node_modules
if ! NODE_PATH=$node_modules node -e 'require("soap")' 2>/dev/null; then
    npm install --silent --no-audit --no-fund --prefix "$target/node-soap" soap@1.1.11
fi

# build_bin NAME [WSDL_FOLDER]: builds the binary (from WSDL_FOLDER's contract through
# SIPS_WALLET_WSDL_DIR when given) in the one target directory, so that only this crate is built
# again, never its dependencies, and keeps it as $target/interop/NAME.
build_bin() {
    mkdir -p "$target/interop"
    if [ -n "${2:-}" ]; then
        SIPS_WALLET_WSDL_DIR="$2" cargo build --quiet --bin sips-wallet
    else
        (unset SIPS_WALLET_WSDL_DIR; cargo build --quiet --bin sips-wallet)
    fi
    cp "$target/debug/sips-wallet" "$target/interop/$1"
}
build_bin sips-wallet
bin=$target/interop/sips-wallet
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_for PORT LOG: waits until something listens on PORT; if nothing does, shows LOG (what the
# server said when it failed to start).
wait_for() {
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    echo "interop: nothing listens on port $1; the server's log ($2):" >&2
    cat "$2" >&2
    exit 1
}

merchant=011223344550000 key_version=1 key=sips-wallet-simulator-demo-key

port=$(free_port)
"$bin" serve --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
pids+=($!)
wait_for "$port" "$work/serve.log"
"$venv/bin/python" interop/zeep_client.py "http://127.0.0.1:$port" "$merchant" "$key_version" "$key"
php interop/php_client.php "http://127.0.0.1:$port" "$merchant" "$key_version" "$key"
php interop/php_latin1.php "http://127.0.0.1:$port" "$merchant" "$key_version" "$key"
NODE_PATH=$node_modules node interop/node_client.js "http://127.0.0.1:$port" "$merchant" "$key_version" "$key"

php_port=$(free_port)
SIPS_SECRET_KEY=$key php -S "127.0.0.1:$php_port" interop/php_server.php >"$work/php.log" 2>&1 &
pids+=($!)
wait_for "$php_port" "$work/php.log"
export SIPS_MERCHANT_ID=$merchant SIPS_KEY_VERSION=$key_version SIPS_SECRET_KEY=$key
for call in "sign-off --merchant-wallet-id W1" "get-wallet-data --merchant-wallet-id W1"; do
    # shellcheck disable=SC2086
    out=$("$bin" $call --url "http://127.0.0.1:$php_port" --output json)
    if ! grep -q '"sealVerified": true' <<<"$out" || ! grep -q '"responseCode": "00"' <<<"$out"; then
        echo "interop: PHP SoapServer -> sips-wallet $call: $out" >&2
        exit 1
    fi
    echo "php server: sips-wallet $call: 00, seal verified"
done
if [ "$(grep -c '"maskedPan"' <<<"$out")" != 2 ]; then
    echo "interop: PHP SoapServer -> getWalletData: not two payment means: $out" >&2
    exit 1
fi

mkdir -p "$work/jaxws"
wsimport -quiet -d "$work/jaxws" wsdl/wallet.wsdl >"$work/wsimport.log" 2>&1 \
    || { cat "$work/wsimport.log" >&2; echo "interop: wsimport refused wsdl/wallet.wsdl" >&2; exit 1; }
echo "wsimport: a JAX-WS client generated and compiled from wsdl/wallet.wsdl ($(find "$work/jaxws" -name '*.class' | wc -l) classes)"
# That generated client, run by the JAX-WS reference implementation (Debian's jaxws jars), drives a
# wallet's whole life against the simulator (its logging, which warns about SAAJ factories, kept
# for a failure).
jaxws_cp="/usr/share/jaxws/lib/*:$work/jaxws"
javac -nowarn -cp "$jaxws_cp" -d "$work/jaxws" interop/JaxwsClient.java
java -cp "$jaxws_cp" JaxwsClient "http://127.0.0.1:$port" "$merchant" "$key_version" "$key" 2>"$work/jaxws.log" \
    || { cat "$work/jaxws.log" >&2; echo "interop: the JAX-WS client failed" >&2; exit 1; }
# A CXF-shaped WSDL with no documentation (tests/fixtures/cxf-wallet, versions from its sidecar),
# dropped in through SIPS_WALLET_WSDL_DIR: the crate builds against it and the tour passes.
build_bin vendor-wsdl "$PWD/tests/fixtures/cxf-wallet"
tour=$("$target/interop/vendor-wsdl" 2>/dev/null)
# Every step passed, however many this contract has (it has no addDirectDebit: that step is skipped).
steps=$(grep -oE '^[0-9]+ of [0-9]+ steps gave the expected response code.' <<<"$tour" || true)
if [ -z "$steps" ] || [ "$(cut -d' ' -f1 <<<"$steps")" != "$(cut -d' ' -f3 <<<"$steps")" ]; then
    echo "$tour" >&2
    echo "interop: the tour against the CXF-shaped WSDL failed" >&2
    exit 1
fi
echo "vendor WSDL: built from tests/fixtures/cxf-wallet through SIPS_WALLET_WSDL_DIR; the tour: $steps"
# contract_is_its_own BIN FOLDER: a build checked against the folder it was built from is the same.
contract_is_its_own() {
    local report
    report=$("$1" contract check --file "$2/wallet.wsdl") \
        || { echo "$report" >&2; echo "interop: the build from $2 differs from its own folder" >&2; exit 1; }
    grep -q 'the same' <<<"$report" || { echo "$report" >&2; exit 1; }
    echo "contract check: the build from $(basename "$2") against its own folder: $(grep -o 'the same [0-9]* operations' <<<"$report")"
}
contract_is_its_own "$target/interop/vendor-wsdl" "$PWD/tests/fixtures/cxf-wallet"
# The bundled contract with unqualified local elements (elementFormDefault="unqualified"), built
# through SIPS_WALLET_WSDL_DIR: its client and simulator send the fields without a namespace, as the
# WSDL says, zeep following that WSDL drives the whole lifecycle, and the tour passes.
unqualified="$work/unqualified-wsdl"
mkdir -p "$unqualified"
cp wsdl/* "$unqualified/"
sed -i 's/elementFormDefault="qualified"/elementFormDefault="unqualified"/' "$unqualified/wallet.xsd"
grep -q 'elementFormDefault="unqualified"' "$unqualified/wallet.xsd"
build_bin unqualified-wsdl "$unqualified"
unqualified_bin="$target/interop/unqualified-wsdl"
port=$(free_port)
"$unqualified_bin" serve --listen "127.0.0.1:$port" >"$work/serve-unqualified.log" 2>&1 &
pids+=($!)
wait_for "$port" "$work/serve-unqualified.log"
"$venv/bin/python" interop/zeep_client.py "http://127.0.0.1:$port" "$merchant" "$key_version" "$key"
dry=$("$unqualified_bin" sign-off --merchant-wallet-id W1 --url "http://127.0.0.1:$port" --dry-run)
if ! grep -q '<merchantWalletId>W1</merchantWalletId>' <<<"$dry"; then
    echo "$dry" >&2
    echo "interop: the unqualified build still qualifies its fields" >&2
    exit 1
fi
contract_is_its_own "$unqualified_bin" "$unqualified"
# The default build against that bank: refused, and the error says whose WSDL to build with.
if refused=$("$bin" get-wallet-data --merchant-wallet-id W1 --url "http://127.0.0.1:$port" 2>&1); then
    echo "$refused" >&2
    echo "interop: the default build read an unqualified bank's answer" >&2
    exit 1
fi
grep -q 'SIPS_WALLET_WSDL_DIR' <<<"$refused" \
    || { echo "$refused" >&2; echo "interop: the error does not name SIPS_WALLET_WSDL_DIR" >&2; exit 1; }
echo "default build against the unqualified bank: refused, naming SIPS_WALLET_WSDL_DIR"
tour=$("$unqualified_bin" 2>/dev/null)
steps=$(grep -oE '^[0-9]+ of [0-9]+ steps gave the expected response code.' <<<"$tour" || true)
if [ -z "$steps" ] || [ "$(cut -d' ' -f1 <<<"$steps")" != "$(cut -d' ' -f3 <<<"$steps")" ]; then
    echo "$tour" >&2
    echo "interop: the tour against the unqualified WSDL failed" >&2
    exit 1
fi
echo "unqualified WSDL: fields sent without a namespace; zeep drove the whole lifecycle; the tour: $steps"
# The target directory's binary is the default build again, as the other steps expect (the copy
# under target/interop is still serving, so it is left as it is).
(unset SIPS_WALLET_WSDL_DIR; cargo build --quiet --bin sips-wallet)
echo "interop: all passed"
