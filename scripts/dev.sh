#!/usr/bin/env bash
# `npm run dev`: mailgate on this machine without Docker. Brings up Redis and a MongoDB-wire server
# when nothing answers (scripts/services.sh), generates a development API key and secret once
# (kept in .mailgate/dev.env, gitignored, reused on later runs), then runs the API and every worker
# in one process (`npm start`). No SMTP_URL: mail is written as .eml files to .mailgate/outbox.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DEV_DIR="${MAILGATE_DEV_DIR:-$ROOT/.mailgate}"
ENV_FILE="$DEV_DIR/dev.env"

bash scripts/services.sh up

mkdir -p "$DEV_DIR"
if [ ! -f "$ENV_FILE" ]; then
  key="$(node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('hex'))")"
  secret="$(node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('hex'))")"
  (umask 077 && printf 'MAILGATE_API_KEY=%s\nMAILGATE_SECRET=%s\n' "$key" "$secret" > "$ENV_FILE.tmp")
  mv "$ENV_FILE.tmp" "$ENV_FILE"
  echo "dev: your development API key (shown once, kept in $ENV_FILE):"
  echo "dev:   MAILGATE_API_KEY=$key"
else
  echo "dev: using the development API key in $ENV_FILE"
fi

set -a
# shellcheck source=/dev/null
. "$ENV_FILE"
set +a
unset SMTP_URL
export NODE_ENV=development EML_DIR="${EML_DIR:-$DEV_DIR/outbox}"
echo "dev: mail is written to $EML_DIR as .eml files"
exec node --import tsx src/main.ts
