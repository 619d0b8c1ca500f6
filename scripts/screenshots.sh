#!/usr/bin/env bash
# scripts/screenshots.sh BUILD - see the Makefile.
set -euo pipefail
echo "screenshots: nothing here yet" >&2
exit 1
