#!/usr/bin/env bash
# Builds the Debian package of logmetrics-collector with dpkg-deb.
#
#   npm run deb                    ->  build/out/logmetrics-collector_<version>_<arch>.deb
#
# Only the .deb's absolute path goes to stdout, as its last line; progress goes to stderr.
#
# The program is built by `npm pack` in a throwaway copy of the work tree (node_modules linked in),
# so the package holds exactly what npm would publish, and the repo's own build/dist is never
# rewritten while tests may be running it. Production dependencies are installed next to it with
# `npm ci --omit=dev --omit=optional --ignore-scripts` (from the npm cache when it has them).
#
# re2 (optional, a native addon) is not rebuilt: the one the work tree's `npm ci` built is copied in,
# stripped. It ties the package to this machine's architecture and Node.js major version, which the
# control fields then say. LMC_DEB_RE2=no leaves it out (Architecture: all); LMC_DEB_RE2=yes fails
# when there is none to copy; the default (auto) includes it when it loads.
#
# Other knobs: DEB_MAINTAINER ("Name <email>"), LMC_DEB_OUT (output folder), SOURCE_DATE_EPOCH.
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

for tool in node npm dpkg dpkg-deb tar; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
case $re2_mode in auto | yes | no) ;; *) die "LMC_DEB_RE2 must be auto, yes or no (got '$re2_mode')" ;; esac

pkg() { node -e 'const p = require(process.argv[1]); console.log(eval(process.argv[2]) ?? "")' "$repo/package.json" "$1"; }
version=$(pkg 'p.version')
engines_major=$(pkg '(String(p.engines?.node ?? "").match(/\d+/) ?? ["20"])[0]')
maintainer=${DEB_MAINTAINER:-$(pkg 'typeof p.author === "string" ? p.author : p.author ? `${p.author.name} <${p.author.email}>` : ""')}
maintainer=${maintainer:-logmetrics-collector maintainers <logmetrics-collector@localhost>}
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ -n "$version" ] || die "package.json has no version"

if [ -z "${SOURCE_DATE_EPOCH:-}" ] && git -C "$repo" rev-parse --verify -q HEAD >/dev/null 2>&1; then
	SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct)
	export SOURCE_DATE_EPOCH
fi

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
[ -d "$repo/node_modules" ] || die "run 'npm ci' first: the build needs the dev dependencies"
ln -s "$repo/node_modules" "$src/node_modules"
(cd "$src" && npm pack --pack-destination "$work" --loglevel=warn >&2)
tarball=$work/$name-$version.tgz
[ -f "$tarball" ] || die "npm pack made no $tarball"

# 2. The program and its production dependencies, under /usr/lib/logmetrics-collector.
root=$work/root
app=$root$prefix
mkdir -p "$app"
tar -xzf "$tarball" -C "$app" --strip-components=1 --no-same-owner
[ -f "$app/build/dist/cli.js" ] || die "the npm package has no build/dist/cli.js"
cp "$repo/package-lock.json" "$app/"
log "installing production dependencies"
(cd "$app" && npm ci --omit=dev --omit=optional --ignore-scripts --prefer-offline \
	--no-audit --no-fund --loglevel=warn >&2)
rm -f "$app/package-lock.json"

# 3. re2, copied from the work tree (building it here would take minutes).
re2_from=$repo/node_modules/re2
with_re2=no
if [ "$re2_mode" != no ]; then
	if [ -f "$re2_from/build/Release/re2.node" ] && node -e 'require(process.argv[1])' "$re2_from" 2>/dev/null; then
		with_re2=yes
	elif [ "$re2_mode" = yes ]; then
		die "LMC_DEB_RE2=yes but $re2_from has no re2.node that loads"
	else
		log "re2 not built in the work tree: packaging without it (regex_engine: re2 unavailable)"
	fi
fi
if [ "$with_re2" = yes ]; then
	re2_to=$app/node_modules/re2
	mkdir -p "$re2_to/build/Release"
	for f in package.json re2.js re2.d.ts LICENSE; do
		[ -e "$re2_from/$f" ] && cp "$re2_from/$f" "$re2_to/"
	done
	cp "$re2_from/build/Release/re2.node" "$re2_to/build/Release/"
	if command -v strip >/dev/null 2>&1; then strip --strip-unneeded "$re2_to/build/Release/re2.node"; fi
	node -e 'require(process.argv[1])' "$re2_to" || die "the copied re2 does not load"
	log "including re2 $(node -p 'require(process.argv[1]).version' "$re2_to/package.json") (Node.js ABI $(node -p process.versions.modules))"
	[ "$node_major" -ge "$engines_major" ] || die "re2 was built for Node.js $node_major, below engines' $engines_major"
	arch=$(dpkg --print-architecture)
	# The addon is built against this Node.js major's ABI (NODE_MODULE_VERSION): pin the major.
	depends="nodejs (>= $node_major), nodejs (<< $((node_major + 1))), libc6, libgcc-s1, libstdc++6"
else
	arch=all
	depends="nodejs (>= $engines_major)"
fi

# 4. Commands, config, unit, docs.
install -d "$root/usr/bin"
cat >"$root/usr/bin/$name" <<EOF
#!/bin/sh
# Runs logmetrics-collector with the system's Node.js (exec: signals reach the collector itself).
exec /usr/bin/node $prefix/build/dist/cli.js "\$@"
EOF
chmod 0755 "$root/usr/bin/$name"
ln -s "$name" "$root/usr/bin/logmetrics_collector"
install -D -m 0644 "$debian/logmetrics_collector.conf" "$root/etc/logmetrics_collector.conf"
install -D -m 0644 "$debian/$name.service" "$root/lib/systemd/system/$name.service"
doc=$root/usr/share/doc/$name
install -D -m 0644 "$debian/copyright" "$doc/copyright"
for f in "$repo/README.md" "$repo/conf/logmetrics_collector.conf"; do
	[ -f "$f" ] && install -D -m 0644 "$f" "$doc/examples/$(basename "$f")"
done
for f in "$repo"/conf/logrotate*.example; do
	[ -f "$f" ] && install -D -m 0644 "$f" "$doc/examples/logrotate"
done
[ -f "$doc/examples/README.md" ] && mv "$doc/examples/README.md" "$doc/README.md"

chmod -R u+rwX,go+rX,go-w "$root"
chmod 0755 "$app/build/dist/cli.js"

# 5. Control area.
install -d -m 0755 "$root/DEBIAN"
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@DEPENDS@|$depends|" \
	-e "s|@INSTALLED_SIZE@|$installed_size|" -e "s|@MAINTAINER@|$maintainer|" \
	"$debian/control" >"$root/DEBIAN/control"
if grep -n '@[A-Z_]\+@' "$root/DEBIAN/control" >&2; then die "unfilled control field"; fi
install -m 0644 "$debian/conffiles" "$root/DEBIAN/conffiles"
for s in postinst prerm postrm; do install -m 0755 "$debian/$s" "$root/DEBIAN/$s"; done
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
	xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

# 6. The package.
mkdir -p "$out"
deb=$(cd "$out" && pwd)/${name}_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
log "Architecture: $arch; Depends: $depends"
echo "$deb"
