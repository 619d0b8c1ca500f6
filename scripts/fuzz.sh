#!/usr/bin/env bash
# scripts/fuzz.sh BUILD - see the Makefile.
set -euo pipefail
echo "fuzz: nothing here yet" >&2
exit 1
