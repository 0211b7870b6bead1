#!/usr/bin/env bash
# Copy the generated files (./output, or the folder given) into an Azure Blob container:
#   BLOB_CONTAINER_URL=https://ACCOUNT.blob.core.windows.net/CONTAINER \
#   BLOB_SAS_TOKEN='sv=...&sig=...' scripts/azcopy_output.sh [FOLDER]
# (`make azcopy_output` runs it.) Uses azcopy when there is one: $AZCOPY, azcopy on
# PATH, or the binary of the npm package @azure-tools/azcopy-linux under
# .services/node (it needs Debian's libsecret-1-0); otherwise, or with AZCOPY=none,
# `python generate.py upload`. Files already in the container with the same MD5
# are skipped either way. The SAS token is never printed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SOURCE="${1:-${OUTPUT_DIR:-output}}"
NPM_AZCOPY="$ROOT/.services/node/node_modules/@azure-tools/azcopy-linux/dist/bin/azcopy_linux_amd64"

say() { echo "azcopy_output: $*" >&2; }
die() { say "error: $*"; exit 1; }

missing=()
[[ -n "${BLOB_CONTAINER_URL:-}" ]] || missing+=(BLOB_CONTAINER_URL)
[[ -n "${BLOB_SAS_TOKEN:-}" ]] || missing+=(BLOB_SAS_TOKEN)
if ((${#missing[@]})); then
    die "${missing[*]} not set; export BLOB_CONTAINER_URL=https://ACCOUNT.blob.core.windows.net/CONTAINER and BLOB_SAS_TOKEN='sv=...&sig=...' (a SAS with read, list, write, create)"
fi
[[ "$BLOB_CONTAINER_URL" != *\?* ]] || die "BLOB_CONTAINER_URL must not carry a query; put the SAS in BLOB_SAS_TOKEN"
[[ -d "$SOURCE" ]] || die "nothing to copy: '$SOURCE' is not a folder (run 'make demo' or give a folder)"

# The azcopy to use, or nothing; it must run (a missing libsecret-1-0 stops it).
find_azcopy() {
    local candidate
    for candidate in "${AZCOPY:-}" "$(command -v azcopy 2>/dev/null || true)" "$NPM_AZCOPY"; do
        [[ -n "$candidate" && -f "$candidate" ]] || continue
        [[ -x "$candidate" ]] || chmod +x "$candidate" 2>/dev/null || continue
        if "$candidate" --version >/dev/null 2>&1; then
            echo "$candidate"
            return
        fi
        say "note: $candidate does not run here (needs libsecret-1-0?); skipping it"
    done
}

python_bin() {
    if [[ -x "$ROOT/.venv/bin/python" ]]; then echo "$ROOT/.venv/bin/python"
    else command -v python3 || command -v python; fi
}

azcopy_bin=""
[[ "${AZCOPY:-}" == none ]] || azcopy_bin="$(find_azcopy)"

if [[ -z "$azcopy_bin" ]]; then
    say "copying '$SOURCE' with 'generate.py upload' (no azcopy)"
    exec "$(python_bin)" "$ROOT/generate.py" upload "$SOURCE"
fi

# azcopy keeps logs and job plans; keep them out of $HOME and drop them on success
# (it writes the signature as REDACTED there, but nothing else needs them).
work="$(mktemp -d "${TMPDIR:-/tmp}/datagen-azcopy.XXXXXX")"
export AZCOPY_LOG_LOCATION="$work" AZCOPY_JOB_PLAN_LOCATION="$work"
say "copying '$SOURCE' with $("$azcopy_bin" --version 2>/dev/null | head -n 1)"
status=0
# sync compares MD5s (like `upload`): unchanged files are skipped, changed ones
# replaced; blobs that have no local file are left alone.
"$azcopy_bin" sync "${SOURCE%/}" "${BLOB_CONTAINER_URL%/}?${BLOB_SAS_TOKEN#\?}" \
    --from-to LocalBlob --recursive --put-md5 --compare-hash MD5 \
    --delete-destination false --exclude-pattern '.datagen-tmp-*' \
    --output-level essential || status=$?
if ((status == 0)); then
    rm -rf "$work"
    say "done: $SOURCE -> $BLOB_CONTAINER_URL"
else
    say "azcopy failed (exit $status); its log is in $work"
fi
exit "$status"
