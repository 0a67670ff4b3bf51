#!/usr/bin/env bash
# The test command: every test of the workspace, with the storage and API tests run
# against both SQLite and a real PostgreSQL server started here (installed from Debian's
# packages when missing and we are root).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing PostgreSQL from Debian's packages..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL is not installed (apt-get install postgresql); the tests will run on SQLite only." >&2
  fi
fi
# The document tests read PDFs back with poppler-utils and open DOCX files in LibreOffice.
if ! command -v pdftotext >/dev/null || ! command -v soffice >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing poppler-utils and LibreOffice (headless) from Debian's packages..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils libreoffice-writer-nogui >/dev/null
  else
    echo "The document tests need pdftotext (poppler-utils) and soffice (libreoffice-writer-nogui): install them." >&2
  fi
fi
if ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  eval "$(scripts/test-postgres.sh)"
  export CASEREVIEW_REQUIRE_POSTGRES=1
fi
exec cargo test --workspace --locked "$@"
