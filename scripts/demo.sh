#!/usr/bin/env bash
# scripts/demo.sh BUILD - see the Makefile.
set -euo pipefail
echo "demo: nothing here yet" >&2
exit 1
