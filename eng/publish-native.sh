#!/usr/bin/env bash
# Publishes the migrationkit command as one self-contained native executable (Native AOT): no .NET runtime or SDK is
# needed where it runs. Usage: eng/publish-native.sh [RID ...]   (default: this machine's, e.g. linux-x64)
# Writes artifacts/native/<RID>/migrationkit. It is the documented line, once per runtime identifier:
#   dotnet publish src/MigrationKit.Cli -c Release -r linux-x64 -p:PublishAot=true -o artifacts/native/linux-x64
# Native AOT compiles for the operating system it runs on (linux-x64 and linux-arm64 from Linux, given the target's
# C toolchain and sysroot; osx-* on macOS; win-* on Windows). It needs a C compiler and linker (clang or gcc).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
  set -- "$(dotnet --info | sed -n 's/^ *RID: *//p' | head -n 1)"
fi
for rid in "$@"; do
  out="artifacts/native/$rid"
  rm -rf "$out"
  dotnet publish src/MigrationKit.Cli -c Release -r "$rid" -p:PublishAot=true -o "$out"
  ls -l "$out"
done
