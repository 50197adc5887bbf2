#!/bin/sh
# Installs everything the tests need and runs every check: type-check, lint, all tests.
# Store tests run on SQLite and, when a PostgreSQL server answers on 127.0.0.1:5432, on PostgreSQL too.
set -eu
cd "$(dirname "$0")/.."
PATH="$PWD/scripts/bin:$PATH"
export PATH

./scripts/system-deps.sh
yarn install --immutable

if [ -z "${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-}" ] &&
  pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING=postgresql://postgres@127.0.0.1:5432/postgres
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
fi

echo '--- formatting (prettier)'
yarn prettier --check . >/dev/null || { yarn prettier --list-different .; echo 'Run: yarn prettier --write .' >&2; exit 1; }
echo '--- generated API code (scripts/openapi-generate.mjs --check)'
node scripts/openapi-generate.mjs --check
echo '--- type-check'
yarn tsc
echo '--- lint'
yarn backstage-cli repo lint
echo '--- example app build (served by the browser and scaffolder end-to-end tests)'
(cd packages/app && NODE_ENV=production yarn backstage-cli package build >/dev/null)
echo '--- tests'
CI=true yarn backstage-cli repo test "$@"
