#!/usr/bin/env bash
# make examples-check: every example validates exactly as a user would paste it. Each .tf
# file under examples/ is one code block of the docs: it is checked alone, in a directory
# of its own, with nothing added, against the provider built into $BIN, with every CLI of
# $CLIS. It must be formatted, and it must validate.
#
# The one exception is an example whose required_version the CLI does not meet: provider
# functions, ephemeral resources and write-only arguments need a newer CLI than Terraform
# 1.5.7, and their examples say so (`required_version = ">= 1.11"`), which is what a user
# of an older CLI is told on `init`. Such an example is reported as skipped for that CLI.
# An example that no CLI validates fails the check.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

BIN=${BIN:-$PWD/bin}
read -r -a clis <<<"${CLIS:-terraform terraform-current tofu}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
write_cli_config "$work/cli.tfrc" "$BIN"
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

mapfile -t files < <(find examples -name '*.tf' | sort)
[ ${#files[@]} -gt 0 ] || fail "no examples found"
# older_than A B: true when version A is below version B.
older_than() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$1" ]; }

# minimum_version FILE: the X.Y[.Z] of FILE's `required_version = ">= X.Y[.Z]"`, if any.
# Examples use no other form of constraint, so that this check can read it.
minimum_version() {
  local constraint
  constraint=$(sed -nE 's/^ *required_version *= *"([^"]*)".*/\1/p' "$1")
  [ -n "$constraint" ] || return 0
  [[ $constraint =~ ^\>=\ *([0-9]+(\.[0-9]+){1,2})$ ]] || fail "$1: write required_version as \">= X.Y\", not \"$constraint\""
  echo "${BASH_REMATCH[1]}"
}

declare -A validated=()
skipped=0
for tf in "${clis[@]}"; do
  [ -x "$BIN/$tf" ] || fail "$BIN/$tf is missing: run this through 'make examples-check'"
  version=$("$BIN/$tf" version | sed -n 1p)
  version_number=${version##* v}
  step "$version: fmt -check and validate each example as written"
  for file in "${files[@]}"; do
    printf '%-80s ' "$tf validate $file"
    minimum=$(minimum_version "$file")
    if [ -n "$minimum" ] && older_than "$version_number" "$minimum"; then
      skipped=$((skipped + 1))
      echo "skipped: requires >= $minimum"
      continue
    fi
    "$BIN/$tf" fmt -check -diff -no-color "$file" >"$work/out" 2>&1 || {
      echo
      cat "$work/out" >&2
      fail "$file is not formatted: run 'make fmt'"
    }
    target="$work/$tf/${file%.tf}"
    mkdir -p "$target"
    cp "$file" "$target/"
    if (cd "$target" && "$BIN/$tf" validate -no-color >"$work/out" 2>&1); then
      validated[$file]=$((${validated[$file]:-0} + 1))
      echo ok
    else
      echo
      cat "$work/out" >&2
      fail "$file does not validate with $tf"
    fi
  done
done

for file in "${files[@]}"; do
  [ "${validated[$file]:-0}" -gt 0 ] || fail "$file was validated by none of: ${clis[*]}"
done
step "${#files[@]} examples checked with ${#clis[@]} CLIs; $skipped validations skipped for a required_version"
