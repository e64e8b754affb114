#!/usr/bin/env bash
# Every C++ file in the repository is formatted by the repository's .clang-format.
set -euo pipefail
root=${1:?usage: formatted.sh PROJECT_ROOT}
cd "$root"
command -v clang-format >/dev/null || { echo "clang-format is missing: install it (deploy/dev/setup.sh)" >&2; exit 1; }
unformatted=()
while IFS= read -r f; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
done < <(git ls-files '*.cpp' '*.hpp' '*.h' 2>/dev/null || find . \( -name '*.cpp' -o -name '*.hpp' \) -not -path './build*')
if [ ${#unformatted[@]} -ne 0 ]; then
  echo "not clang-formatted (run clang-format -i on them): ${unformatted[*]}" >&2
  exit 1
fi
echo "all C++ files are formatted"
