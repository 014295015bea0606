#!/usr/bin/env bash
# Refresh static/vendor/ from the npm packages pinned in package-lock.json.
# The result is committed, so running CivicChat needs Python only, never npm.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --ignore-scripts --no-audit --no-fund
src=node_modules/@uswds/uswds/dist
dst=static/vendor/uswds
rm -rf "$dst"
mkdir -p "$dst/css" "$dst/js" "$dst/img"
cp "$src"/css/uswds.min.css "$src"/css/uswds.min.css.map "$dst/css/"
cp "$src"/js/uswds.min.js "$src"/js/uswds.min.js.map "$src"/js/uswds-init.min.js "$src"/js/uswds-init.min.js.map "$dst/js/"
# Only the web fonts the stylesheet loads (woff2), not the legacy formats.
(cd "$src" && find fonts -name '*.woff2' -exec cp --parents {} "$OLDPWD/$dst/" \;)
# Every image except the 2,000-file Material icon set, which the stylesheet never references.
(cd "$src/img" && for f in *; do case "$f" in material-icons*) ;; *) cp -r "$f" "$OLDPWD/$dst/img/" ;; esac; done)
cp node_modules/@uswds/uswds/LICENSE.md "$dst/LICENSE.md"
node -e 'console.log(require("./node_modules/@uswds/uswds/package.json").version)' > "$dst/VERSION"
echo "vendored @uswds/uswds $(cat "$dst/VERSION") into $dst"
