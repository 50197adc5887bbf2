#!/bin/sh
# Starts vmware2scw for local use: backend (http://localhost:7007) and app (http://localhost:3000), with
# SQLite files under ./data (kept across restarts) and the sample inventory in examples/.
set -eu
cd "$(dirname "$0")/.."
PATH="$PWD/scripts/bin:$PATH"
export PATH
yarn install --immutable
mkdir -p data/sqlite
exec yarn backstage-cli repo start "$@"
