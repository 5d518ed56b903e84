#!/usr/bin/env bash
# Rebuilds the conformance guests and the TypeScript module that embeds them.
set -euo pipefail
cd "$(dirname "$0")"
command -v nasm >/dev/null || { apt-get update -qq && apt-get install -y -qq nasm; }
for src in *.asm; do nasm -f bin -o "${src%.asm}.bin" "$src"; done
node ./embed.mjs
