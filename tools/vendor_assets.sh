#!/usr/bin/env bash
# Vendors the JavaScript the built site needs, so that no page ever asks a CDN for it:
# MathJax 3 (math) and the Jupyter widgets HTML manager (any widget without a kernel-free
# explorer). Fetched with `npm pack` from the npm registry, checked against pinned sha256
# sums, unpacked under site_assets/vendor/ (ignored by git; Sphinx copies it into _static/).
# Also axe-core, the accessibility engine the site tests inject into every page: it goes to
# tests/site/vendor/ (ignored by git), which the book does not publish.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=site_assets/vendor
test_dest=tests/site/vendor
stamp="$dest/.stamp-$(sha256sum "$0" | cut -c1-16)"
[ -f "$stamp" ] && [ -f "$test_dest/axe.min.js" ] && exit 0

# name@version  sha256-of-tarball
pins=(
  "mathjax@3.2.2 1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09"
  "@jupyter-widgets/html-manager@1.0.15 2b9d65cb7913e1c7d671757a10008b32c9c2448d4429513371e55c07d6107638"
  "axe-core@4.14.1 e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745"
)
command -v npm >/dev/null || { echo "vendor_assets: npm is needed to fetch MathJax, the widget manager and axe-core (apt-get install npm)" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
rm -rf "$dest" "$test_dest"; mkdir -p "$dest" "$test_dest"
for pin in "${pins[@]}"; do
  read -r spec sum <<<"$pin"
  tgz=$(cd "$work" && npm pack --silent "$spec" 2>/dev/null | tail -n 1)
  echo "$sum  $work/$tgz" | sha256sum --check --quiet - \
    || { echo "vendor_assets: checksum mismatch for $spec" >&2; exit 1; }
  mkdir -p "$work/${tgz%.tgz}" && tar xzf "$work/$tgz" -C "$work/${tgz%.tgz}"
done
# MathJax: the es5 bundle only (components load relative to tex-mml-chtml.js).
cp -r "$work"/mathjax-3.2.2/package/es5 "$dest/mathjax"
# Widget manager: the non-AMD embed.js and the fonts it loads relative to itself.
mkdir -p "$dest/jupyter-widgets"
find "$work"/jupyter-widgets-html-manager-1.0.15/package/dist -maxdepth 1 -type f \
  \( -name embed.js -o -name '*.woff*' -o -name '*.ttf' -o -name '*.eot' -o -name '*.svg' -o -name '*.LICENSE.txt' \) \
  -exec cp {} "$dest/jupyter-widgets/" \;
# axe-core: the minified engine and its licence, for the tests only.
cp "$work"/axe-core-4.14.1/package/axe.min.js "$work"/axe-core-4.14.1/package/LICENSE "$test_dest/"
touch "$stamp"
echo "vendor_assets: MathJax 3.2.2 and html-manager 1.0.15 in $dest, axe-core 4.14.1 in $test_dest"
