#!/usr/bin/env bash
# Makes a Node.js base image out of this machine's own files, for building the flowsync image where
# no registry can be pulled (the Dockerfile's BASE defaults to the official node image):
#
#   scripts/local-node-base.sh                      # tags flowsync-local/node:<major of `node`>
#   docker build --build-arg BASE=flowsync-local/node:20 -t flowsync:dev .
#
# The root filesystem holds what the Dockerfile and flowsync need, each with the shared libraries
# `ldd` names: node (and npm, for the in-image build), git with its helpers (`git --exec-path`:
# the daemon clones with it) and templates, ssh when installed (deploy keys), a POSIX sh and the few
# coreutils the Dockerfile's RUN lines call, CA certificates, and /etc/passwd and /etc/group with
# root and the official images' `node` user (uid and gid 1000). It mirrors the usr-merged layout
# (/bin, /lib, /lib64 link into /usr), so every path ldd prints resolves inside the image.
set -euo pipefail

major=$(node -p 'process.versions.node.split(".")[0]')
tag=${1:-flowsync-local/node:$major}
command -v docker >/dev/null || { echo "local-node-base: docker is not installed" >&2; exit 1; }

root=$(mktemp -d "${TMPDIR:-/tmp}/flowsync-node-base.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/usr/bin" "$root/usr/lib" "$root/usr/lib64" "$root/usr/sbin" "$root/etc" "$root/tmp" "$root/home/node" "$root/usr/local/bin"
for d in bin lib lib64 sbin; do ln -s "usr/$d" "$root/$d"; done
chmod 1777 "$root/tmp"
chown 1000:1000 "$root/home/node"

# Copies a path (file or folder) to the same place under $root. A symlink is kept as a link to
# its target (resolved on the host), and the target is copied too.
put() {
  local src=$1 real at
  [ -e "$src" ] || return 0
  real=$(readlink -f "$src")
  at="$(readlink -f "$(dirname "$src")")/$(basename "$src")"
  if [ "$at" != "$real" ]; then
    mkdir -p "$root$(dirname "$at")"
    ln -sfn "$real" "$root$at"
  fi
  mkdir -p "$root$(dirname "$real")"
  cp -a "$real" "$root$(dirname "$real")/"
}

# Every shared library an ELF file needs, by the path the loader resolves it to.
libs() {
  ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\//{print $1}'
}

programs=(node git dash env ln mkdir chown cat ls id rm)
command -v ssh >/dev/null && programs+=(ssh)
elves=()
for p in "${programs[@]}"; do
  path=$(command -v "$p")
  put "$path"
  elves+=("$(readlink -f "$path")")
done
ln -sf dash "$root/usr/bin/sh"

exec_path=$(git --exec-path)
put "$exec_path"
while IFS= read -r f; do elves+=("$f"); done < <(find "$exec_path" -type f -perm -u+x)
put /usr/share/git-core

# npm is only for the Dockerfile's build stage (npm ci + npm run build): node's own copy.
npm_cli=$(readlink -f "$(command -v npm 2>/dev/null || true)" 2>/dev/null || true)
if [ -n "$npm_cli" ] && [ -f "$npm_cli" ]; then
  npm_dir=$(dirname "$(dirname "$npm_cli")")
  put "$npm_dir"
  ln -sf "$npm_cli" "$root/usr/bin/npm"
  [ -f "$npm_dir/bin/npx-cli.js" ] && ln -sf "$npm_dir/bin/npx-cli.js" "$root/usr/bin/npx"
fi

for f in "${elves[@]}"; do
  if head -c 4 "$f" 2>/dev/null | grep -q 'ELF'; then
    for lib in $(libs "$f"); do [ -e "$root$(readlink -f "$lib")" ] || put "$lib"; done
  fi
done

put /etc/ssl/certs/ca-certificates.crt
cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
node:x:1000:1000:node:/home/node:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
node:x:1000:
nogroup:x:65534:
EOF
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"

previous=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$(node -p process.versions.node)" \
  --change 'CMD ["node"]' \
  --message "node $(node --version) and git $(git --version | awk '{print $3}') from $(uname -n)" \
  - "$tag" >/dev/null
# The image this tag named before is left untagged: remove it unless something still uses it.
[ -n "$previous" ] && [ "$previous" != "$(docker image inspect -f '{{.Id}}' "$tag")" ] && docker rmi "$previous" >/dev/null 2>&1 || true
echo "$tag: node $(node --version), git $(git --version | awk '{print $3}'), $(du -sh "$root" | cut -f1)"
