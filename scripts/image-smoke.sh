#!/usr/bin/env bash
# Proves the container image runs the daemon: builds it, starts the emulator on the host (loopback),
# runs `flowsync run` in the image with --network host and a read-only root filesystem against it,
# following a git repository of the example manifests mounted read-only, with every secret a file
# in a mounted credentials folder (as a Kubernetes Secret volume). It waits for /readyz, checks
# that the first cycle applied and converged (/status; `flowsync plan --detailed-exitcode` on the
# host finds nothing to do), that a signed webhook starts a cycle that changes nothing, and that
# SIGTERM stops the container cleanly. Everything it starts is stopped on exit, by id.
#
#   scripts/image-smoke.sh
#
# Environment:
#   IMAGE_SMOKE_BUILD  prebuilt (default): `npm run build` on the host, then --target prebuilt (no
#                      network); source: the bundle built in the image (npm ci reaches the registry)
#   IMAGE_SMOKE_BASE   the Node base image (default: flowsync-local/node:<major>, made by
#                      scripts/local-node-base.sh from this machine's files; no registry needed)
#   IMAGE_SMOKE_TAG    the image to build (default flowsync:smoke)
# Needs a Docker daemon, node and git. Containers use the host's network (loopback only) or none.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${IMAGE_SMOKE_BUILD:-prebuilt}
tag=${IMAGE_SMOKE_TAG:-flowsync:smoke}
say() { printf 'image-smoke: %s\n' "$*"; }
fail() { say "FAIL: $*" >&2; exit 1; }
case $build in prebuilt | source) ;; *) fail "IMAGE_SMOKE_BUILD must be prebuilt or source (got $build)" ;; esac
docker info >/dev/null 2>&1 || fail 'no Docker daemon answers (docker info)'

work=$(mktemp -d "${TMPDIR:-/tmp}/flowsync-image-smoke.XXXXXX")
container=flowsync-smoke-$$
emulator_pid=
cleanup() {
  local code=$?
  docker rm -f "$container" >/dev/null 2>&1 || true
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# GET (or POST with a body and headers) a URL; prints the body, fails unless 2xx.
http() {
  node -e '
    const [url, body, ...headers] = process.argv.slice(1);
    const init = body ? { method: "POST", body, headers: Object.fromEntries(headers.map((h) => h.split(/: (.*)/s).slice(0, 2))) } : {};
    fetch(url, init).then(async (r) => { process.stdout.write(await r.text()); process.exit(r.ok ? 0 : 1); }, () => process.exit(2));
  ' "$@"
}
# A JSON field of stdin, by a path like .lastCycle.result.
field() { node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split(".").slice(1))v=v?.[k];console.log(typeof v==="object"?JSON.stringify(v):String(v))})' "$1"; }
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

say "building the bundle on the host (npm run build)"
npm run --silent build 2>&1 | sed 's/^/  /'

base=${IMAGE_SMOKE_BASE:-}
if [ -z "$base" ]; then
  base=flowsync-local/node:$(node -p 'process.versions.node.split(".")[0]')
  say "making the base image $base from this machine's node and git (scripts/local-node-base.sh)"
  scripts/local-node-base.sh "$base" | sed 's/^/  /'
fi

args=(--network host --build-arg "BASE=$base" -t "$tag")
if [ "$build" = prebuilt ]; then
  args+=(--target prebuilt) # the bundle just built carries the revision
else
  # The context has no .git: the revision as cmd/build.ts would record it.
  revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
  [ "$revision" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no)" ] && revision=$revision-dirty
  args+=(--build-arg "FLOWSYNC_BUILD_REVISION=$revision")
  # A proxy that re-signs TLS: the host's CA bundle is in the base made from the host.
  [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && args+=(--build-arg "NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS")
fi
say "docker build ${args[*]} ."
previous=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
start=$(date +%s)
# (a client without buildx falls back to the legacy builder and says so: dist/ is there for it)
docker build -q "${args[@]}" . 2>&1 | { grep -v -e '^DEPRECATED' -e '^ *Install the buildx' -e '^ *https://docs.docker.com/go/buildx' -e '^$' || true; } | sed 's/^/  /'
[ -n "$previous" ] && [ "$previous" != "$(docker image inspect -f '{{.Id}}' "$tag")" ] && docker rmi "$previous" >/dev/null 2>&1 || true
say "built $tag in $(($(date +%s) - start)) s: $(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'), user $(docker image inspect -f '{{.Config.User}}' "$tag"), $(docker run --rm --network none --read-only "$tag" version)"

# The config repository: the example manifests committed, served by file path from a bare clone.
# git refuses a repository another user owns (safe.directory), so it belongs to the container's user.
uid=1000
user_args=()
if [ "$(id -u)" != 0 ]; then uid=$(id -u); user_args=(--user "$uid:$(id -g)"); fi
mkdir -p "$work/src"
cp -r manifests/. "$work/src/"
git -C "$work/src" init -q -b main
git -C "$work/src" add -A
git -C "$work/src" -c user.name=smoke -c user.email=smoke@example.invalid commit -q -m 'example manifests'
git clone -q --bare "$work/src" "$work/config.git"
revision=$(git -C "$work/config.git" rev-parse main)

# Every secret a file named like the variable it stands for (README "Secrets"), laid out as a
# Kubernetes Secret volume is: NAME -> ..data/NAME, ..data -> a timestamped folder. Fake values.
mkdir -m 0700 "$work/credentials"
mkdir -m 0700 "$work/credentials/..2026_01_01_00_00_00.smoke"
ln -s ..2026_01_01_00_00_00.smoke "$work/credentials/..data"
for name in KINESIS_ACCESS_KEY_ID KINESIS_SECRET_KEY EVENTHUB_SAS_KEY KINESIS_DEV_ACCESS_KEY_ID KINESIS_DEV_SECRET_KEY EVENTHUB_DEV_SAS_KEY FLOWSYNC_CLIENT_SECRET FLOWSYNC_WEBHOOK_SECRET; do
  case $name in
    *ACCESS_KEY_ID) printf 'AKIASMOKEFAKE%07d\n' "$RANDOM" ;;
    *) printf 'smoke-fake-%s-%s\n' "$name" "$$" ;;
  esac >"$work/credentials/..data/$name"
  ln -s "..data/$name" "$work/credentials/$name"
done
chmod 0400 "$work/credentials/..data/"*
if [ "$(id -u)" = 0 ]; then chown -R "$uid:$uid" "$work/config.git" "$work/credentials"; fi

node dist/cli/flowsync.mjs emulator --port 0 --host 127.0.0.1 >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$work/emulator.log" && break; sleep 0.1; done
emulator=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/emulator.log")
[ -n "$emulator" ] || fail "the emulator did not start: $(cat "$work/emulator.log")"
say "emulator on $emulator (host, pid $emulator_pid)"

port=$(free_port)
url=http://127.0.0.1:$port
say "docker run $tag run --repo /repo/config.git (read-only root, --network host, listening on 127.0.0.1:$port)"
docker run -d --name "$container" "${user_args[@]}" \
  --network host --read-only --cap-drop ALL --security-opt no-new-privileges \
  --tmpfs /tmp:size=64m --tmpfs "/var/cache/flowsync:uid=$uid,gid=$uid,mode=0700,size=64m" \
  -v "$work/config.git:/repo/config.git:ro" -v "$work/credentials:/run/secrets/flowsync:ro" \
  -e CREDENTIALS_DIRECTORY=/run/secrets/flowsync -e "FLOWSYNC_LISTEN=127.0.0.1:$port" \
  -e "FLOWSYNC_ENDPOINT=$emulator" -e "FLOWSYNC_IMS_ENDPOINT=$emulator/ims/token/v3" \
  "$tag" run --repo /repo/config.git --branch main --interval 1h --webhook-secret-env FLOWSYNC_WEBHOOK_SECRET >/dev/null

logs() { docker logs "$container" 2>&1 | tail -n "${1:-40}" | sed 's/^/  | /'; }
ready=
for _ in $(seq 120); do
  [ "$(docker inspect -f '{{.State.Running}}' "$container")" = true ] || { logs; fail 'the container exited'; }
  if http "$url/readyz" >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.5
done
[ -n "$ready" ] || { logs; fail '/readyz never answered 200 within 60 s'; }
say "/readyz 200: $(http "$url/readyz" | tr -d ' \n')"

status=$(http "$url/status")
check() { # path, expected
  local got
  got=$(printf '%s' "$status" | field "$1")
  [ "$got" = "$2" ] || { logs; fail "/status $1 is $got, expected $2"; }
  say "  /status $1 = $got"
}
say "first cycle:"
check .lastCycle.result success
check .revision.inForce "$revision"
check .counts.Failed 0
say "  $(printf '%s' "$status" | field .lastCycle.changes) changes applied; entities $(printf '%s' "$status" | field .counts)"

# A push webhook signed with the secret from the credentials file: one more cycle, nothing to change.
body="{\"ref\":\"refs/heads/main\",\"after\":\"$revision\"}"
signature=$(node -e 'const c=require("crypto"),f=require("fs");console.log("sha256="+c.createHmac("sha256",f.readFileSync(process.argv[1],"utf8").trim()).update(process.argv[2]).digest("hex"))' "$work/credentials/FLOWSYNC_WEBHOOK_SECRET" "$body")
http "$url/webhook" "$body" 'content-type: application/json' 'x-github-event: push' 'x-github-delivery: smoke' "x-hub-signature-256: $signature" >/dev/null || fail 'the signed webhook was refused'
for _ in $(seq 60); do
  status=$(http "$url/status")
  [ "$(printf '%s' "$status" | field .lastCycle.trigger)" = webhook ] && break
  sleep 0.5
done
say "webhook cycle:"
check .lastCycle.trigger webhook
check .lastCycle.result success
check .lastCycle.changes 0
check .lastCycle.drifted 0

# A checkout on the host whose origin is the URL the daemon follows: one manager, as CI and the
# daemon running one repository are (README "Several writers").
git clone -q "$work/src" "$work/checkout"
git -C "$work/checkout" remote set-url origin /repo/config.git
plan_code=0
CREDENTIALS_DIRECTORY=$work/credentials FLOWSYNC_ENDPOINT=$emulator FLOWSYNC_IMS_ENDPOINT=$emulator/ims/token/v3 \
  node dist/cli/flowsync.mjs plan "$work/checkout" --detailed-exitcode >"$work/plan.txt" 2>&1 || plan_code=$?
[ "$plan_code" = 0 ] || { sed 's/^/  | /' "$work/plan.txt"; fail "flowsync plan on the host exited $plan_code: the emulator is not converged"; }
say "flowsync plan --detailed-exitcode on the host: 0 (no changes)"
metrics=$(http "$url/metrics")
say "metrics: $(printf '%s\n' "$metrics" | grep -E '^flowsync_(ready|build_info)' | tr '\n' ' ')"
if docker logs "$container" 2>&1 | grep -q "smoke-fake-"; then fail 'a secret value appeared in the log'; fi

start=$(date +%s%N)
docker stop -t 10 "$container" >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' "$container")
[ "$code" = 0 ] || { logs; fail "the daemon exited $code on SIGTERM"; }
say "docker stop: exit 0 in $((($(date +%s%N) - start) / 1000000)) ms"
say PASS
