#!/usr/bin/env bash
# Builds the self-contained Linux tarball for schools and authorities without a Swift toolchain:
#   dist/mosaic-<version>-linux-<arch>.tar.gz
#     mosaic-<version>/bin/mosaic                  (Swift standard library and Foundation linked in)
#     mosaic-<version>/bin/mosaic_*.resources       (codebook, language files: read beside the binary)
#     mosaic-<version>/lib/*.so*                    (SQLite, GLPK and their libraries; found through $ORIGIN/../lib)
#     mosaic-<version>/SCHOOL-GUIDE.md, README.md
# Only the C library, libm, libstdc++ and libgcc_s are expected on the target machine.
# Then checks the tarball in a clean folder with an empty library path: --version, a template, validate.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
version=$(grep -o 'version: "[0-9.]*"' Sources/mosaic/Mosaic.swift | head -1 | grep -o '[0-9.]*')
arch=$(uname -m)
name="mosaic-$version"
scratch=.build-dist
swift build -c release --product mosaic --static-swift-stdlib --scratch-path "$scratch" \
  -Xlinker -rpath -Xlinker '$ORIGIN/../lib'
bin="$scratch/release"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/$name"
mkdir -p "$root/bin" "$root/lib"
cp "$bin/mosaic" "$root/bin/"
for b in "$bin"/*.resources; do cp -R "$b" "$root/bin/"; done
# Every shared library the binary needs except the ones every Linux has.
ldd "$bin/mosaic" | awk '/=> \// {print $3}' | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so*|libm.so*|libstdc++.so*|libgcc_s.so*|ld-linux*|libpthread.so*|libdl.so*|librt.so*) ;;
    *) cp -L "$lib" "$root/lib/" ;;
  esac
done
cp SCHOOL-GUIDE.md README.md "$root/"
mkdir -p dist
out="dist/$name-linux-$arch.tar.gz"
rm -f "$out.tmp"
tar -C "$stage" -czf "$out.tmp" "$name"
mv "$out.tmp" "$out"

# Check: unpacked elsewhere, with no library path, it runs a school's steps.
check=$(mktemp -d)
trap 'rm -rf "$stage" "$check"' EXIT
tar -C "$check" -xzf "$out"
m="$check/$name/bin/mosaic"
env -i PATH=/usr/bin:/bin HOME="$check" "$m" --version >/dev/null
(cd "$check" && env -i PATH=/usr/bin:/bin HOME="$check" "$m" template --school CHECK-1 --period 2026-Q1 --nothing-to-report --out t.csv >/dev/null \
  && env -i PATH=/usr/bin:/bin HOME="$check" "$m" validate t.csv >/dev/null)
missing=$(env -i LD_LIBRARY_PATH= ldd "$m" | grep "not found" || true)
[ -z "$missing" ] || { echo "missing libraries: $missing"; exit 1; }
echo "Wrote $out ($(du -h "$out" | cut -f1)); checked: it runs from a clean folder with no library path."
