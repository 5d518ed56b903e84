#!/bin/sh
# Rebuilds the C benchmark guests (ELF32 Multiboot v1 kernels) and workloads.json.
# Each workload is built twice for the host first (gcc, native) to compute the checksum the guest
# must reproduce, then for the guest with that checksum compiled in: <name>.elf at the benchmark
# size and <name>-smoke.elf at the tiny size `pnpm test` runs.
# Needs gcc with -m32 support (Debian: gcc-multilib); installs it with apt-get when missing.
#
#   ./build.sh                                          all guests and workloads.json
#   ./build.sh --guest OUT WORKLOAD ITERATIONS EXPECTED one guest image, checksum given (tests use it)
set -eu
cd "$(dirname "$0")"

CMARK_ITERATIONS=${CMARK_ITERATIONS:-1500}
FMARK_ITERATIONS=${FMARK_ITERATIONS:-400}
SMOKE_ITERATIONS=${SMOKE_ITERATIONS:-3}

if ! echo 'int main(void){return 0;}' | gcc -m32 -x c -o /dev/null - 2>/dev/null; then
  apt-get update && apt-get install -y gcc gcc-multilib
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

GUEST_CFLAGS="-m32 -march=i686 -std=c11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
  -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin -nostdlib -static -no-pie"
GUEST_LDFLAGS="-Wl,-T,runtime/link.ld -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack \
  -Wl,--no-warn-rwx-segments"
# The host build: SSE doubles with no contraction, which the guest's x87 at 53-bit precision matches.
NATIVE_CFLAGS="-std=c11 -O2 -Wall -Wextra -Werror -ffp-contract=off -fno-math-errno"

# guest OUT WORKLOAD ITERATIONS EXPECTED: one guest image.
guest() {
  extra=""
  [ "$2" = fmark ] && extra="-mfpmath=387 -mno-sse -fno-math-errno"
  # shellcheck disable=SC2086
  gcc $GUEST_CFLAGS $extra -DITERATIONS="$3" -DEXPECTED="$4" $GUEST_LDFLAGS \
    -o "$1" runtime/start.S runtime/runtime.c runtime/guest-main.c "$2/$2.c"
}

if [ "${1:-}" = --guest ]; then
  [ $# -eq 5 ] || { echo "usage: $0 --guest OUT WORKLOAD ITERATIONS EXPECTED" >&2; exit 2; }
  out=$(realpath -m "$2"); shift 2
  guest "$out" "$@"
  exit 0
fi

# build NAME X87: native program, then both guest sizes; prints manifest lines.
build() {
  name=$1; x87=$2
  gcc $NATIVE_CFLAGS -o "$TMP/$name-native" native-main.c "$name/$name.c" -lm
  for size in bench smoke; do
    if [ $size = bench ]; then
      iterations=$(eval echo "\$$(echo "$name" | tr a-z A-Z)_ITERATIONS"); out=$name.elf
    else
      iterations=$SMOKE_ITERATIONS; out=$name-smoke.elf
    fi
    checksum=$("$TMP/$name-native" "$iterations" | cut -d' ' -f3)
    guest "$out" "$name" "$iterations" "0x$checksum"
    echo "    \"$out\": { \"workload\": \"$name\", \"x87\": $x87, \"iterations\": $iterations, \"checksum\": \"$checksum\" },"
  done
}

{
  echo '{'
  echo '  "comment": "Written by build.sh: each guest image with its iteration count and the checksum the host build computed.",'
  echo '  "guests": {'
  build cmark false
  build fmark true
} > "$TMP/manifest"
# The last entry must not end in a comma.
sed '$ s/,$//' "$TMP/manifest" > workloads.json
printf '  }\n}\n' >> workloads.json
echo "built: $(ls ./*.elf | tr '\n' ' ')"
