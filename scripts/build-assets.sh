#!/usr/bin/env bash
# Copy the browser libraries' built bundles from node_modules/ into the package's static folder.
#
#   npm ci && npm run build-assets      (or: npm ci && bash scripts/build-assets.sh)
#
# The libraries are pinned in package.json / package-lock.json; their bundles are committed under
# service/dutygraph/web/static/vendor/ with the version in the file name, so that installing
# dutygraph needs no Node.js (docs/front-end.md). Nothing is compiled: the files are the ones npm
# ships (@zazuko/yasgui's build/, cytoscape's dist/), less their sourceMappingURL comment (the
# .map files are not committed, so a browser's developer tools would ask for a missing file).
# Older versions are removed, and vendor/manifest.json says which file is which for the pages.
set -euo pipefail
cd "$(dirname "$0")/.."

VENDOR=service/dutygraph/web/static/vendor
YASGUI=node_modules/@zazuko/yasgui
CYTOSCAPE=node_modules/cytoscape
for package in "$YASGUI" "$CYTOSCAPE"; do
  [ -f "$package/package.json" ] || { echo "build-assets: $package is missing; run 'npm ci' first" >&2; exit 2; }
done

version() { node -p "require('./$1/package.json').version"; }
YASGUI_VERSION=$(version "$YASGUI")
CYTOSCAPE_VERSION=$(version "$CYTOSCAPE")
# The lock file is what is pinned: refuse to copy anything else (an 'npm install' that moved a version).
for pair in "@zazuko/yasgui=$YASGUI_VERSION" "cytoscape=$CYTOSCAPE_VERSION"; do
  name=${pair%%=*}; have=${pair#*=}
  locked=$(node -p "require('./package-lock.json').packages['node_modules/$name'].version")
  [ "$locked" = "$have" ] || { echo "build-assets: node_modules has $name $have but package-lock.json pins $locked; run 'npm ci'" >&2; exit 2; }
done

mkdir -p "$VENDOR"
rm -f "$VENDOR"/yasgui-* "$VENDOR"/cytoscape-* "$VENDOR"/manifest.json

strip_source_map() { sed -e '/^\/\/# sourceMappingURL=/d' -e 's|/\*# sourceMappingURL=[^*]*\*/||' "$1" > "$2"; }
strip_source_map "$YASGUI/build/yasgui.min.js" "$VENDOR/yasgui-$YASGUI_VERSION.min.js"
strip_source_map "$YASGUI/build/yasgui.min.css" "$VENDOR/yasgui-$YASGUI_VERSION.min.css"
strip_source_map "$CYTOSCAPE/dist/cytoscape.min.js" "$VENDOR/cytoscape-$CYTOSCAPE_VERSION.min.js"
cp "$CYTOSCAPE/LICENSE" "$VENDOR/cytoscape-$CYTOSCAPE_VERSION.LICENSE.txt"

# The YASGUI bundle carries its dependencies inside it (CodeMirror, DataTables, jQuery, DOMPurify …):
# its licence file holds YASGUI's own licence and then that of every package it depends on.
node - "$YASGUI" "$VENDOR/yasgui-$YASGUI_VERSION.LICENSE.txt" <<'JS'
const fs = require("fs"), path = require("path");
const [root, out] = process.argv.slice(2);
const read = (dir) => JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
const top = read(root);
const seen = new Map(), queue = Object.keys(top.dependencies || {});
while (queue.length) {
  const name = queue.shift();
  if (seen.has(name)) continue;
  const dir = path.join("node_modules", name);
  if (!fs.existsSync(path.join(dir, "package.json"))) continue;  // an optional dependency npm skipped
  const pkg = read(dir);
  seen.set(name, { dir, pkg });
  queue.push(...Object.keys(pkg.dependencies || {}));
}
const licenceFile = (dir) => fs.readdirSync(dir).filter((f) => /^(licen[cs]e|copying)/i.test(f)).sort()
  .filter((f) => fs.statSync(path.join(dir, f)).isFile()).map((f) => path.join(dir, f));
const licenceName = (pkg) => pkg.license || (pkg.licenses || []).map((l) => l.type).join(" OR ") || "not stated";
const rule = "=".repeat(100);
let text = `${top.name} ${top.version} — ${licenceName(top)}
${top.homepage || ""}

The npm package declares the MIT licence in its package.json (author: ${top.author}; contributors:
${(top.contributors || []).map((c) => c.name || c).join(", ")}) but ships no licence file; the licence reads:

MIT License

Copyright (c) ${top.author} and ${(top.contributors || []).map((c) => c.name || c).join(", ")}

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial
portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN
NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY,
WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

The bundle yasgui.min.js includes the packages below (those of its dependency tree as npm installed it).
`;
for (const [name, { dir, pkg }] of [...seen].sort(([a], [b]) => a.localeCompare(b))) {
  text += `\n${rule}\n${name} ${pkg.version} — ${licenceName(pkg)}\n${rule}\n`;
  const files = licenceFile(dir);
  text += files.length ? files.map((f) => fs.readFileSync(f, "utf8").trim()).join("\n\n") + "\n"
                       : "(the package ships no licence file; its package.json declares the licence above)\n";
}
fs.writeFileSync(out, text);
JS

node - "$VENDOR" "$YASGUI_VERSION" "$CYTOSCAPE_VERSION" <<'JS'
const fs = require("fs"), path = require("path");
const [vendor, yasgui, cytoscape] = process.argv.slice(2);
const lock = require(path.resolve("package-lock.json")).packages;
const entry = (name, version, files) => ({
  package: name, version, integrity: lock[`node_modules/${name}`].integrity,
  files: Object.fromEntries(Object.entries(files).map(([k, f]) => [k, f])),
});
const manifest = {
  comment: "Written by scripts/build-assets.sh from node_modules (npm ci); do not edit. See docs/front-end.md.",
  yasgui: entry("@zazuko/yasgui", yasgui, { js: `yasgui-${yasgui}.min.js`, css: `yasgui-${yasgui}.min.css`,
                                             licence: `yasgui-${yasgui}.LICENSE.txt` }),
  cytoscape: entry("cytoscape", cytoscape, { js: `cytoscape-${cytoscape}.min.js`, licence: `cytoscape-${cytoscape}.LICENSE.txt` }),
};
fs.writeFileSync(path.join(vendor, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
JS

echo "build-assets: @zazuko/yasgui $YASGUI_VERSION, cytoscape $CYTOSCAPE_VERSION -> $VENDOR"
ls -l "$VENDOR"
