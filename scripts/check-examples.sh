#!/usr/bin/env bash
# make examples-check: every example is formatted and validates, with both CLIs, against
# the provider built into $BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

BIN=${BIN:-$PWD/bin}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
write_cli_config "$work/cli.tfrc" "$BIN"
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

# The examples the docs show are fragments: they leave out the terraform block, and the
# resource and data source examples refer to each other. Each is validated in a
# directory that adds what it leaves out.
required_providers='terraform {
  required_providers {
    dbsql = {
      source = "dbsqlhq/dbsql"
    }
  }
}'
companions='variable "databricks_token" {
  type      = string
  sensitive = true
}
resource "dbsql_connection" "sales" {
  name         = "Sales warehouse"
  base_url     = "https://adb-1234567890123456.7.azuredatabricks.net"
  access_token = var.databricks_token
}'

mapfile -t dirs < <(find examples -name '*.tf' -printf '%h\n' | sort -u)
for tf in terraform tofu; do
  step "$tf fmt -check examples"
  "$BIN/$tf" fmt -check -diff -recursive examples || fail "examples are not formatted: run 'make fmt'"
  for dir in "${dirs[@]}"; do
    # Terraform 1.5.7 has neither ephemeral resources nor write-only arguments (1.10 and
    # 1.11); OpenTofu validates those examples.
    if [ "$tf" = terraform ] && grep -Eq '^ephemeral "|_wo +=' "$dir"/*.tf; then
      printf '%-62s%s\n' "$tf validate $dir" "skipped: needs Terraform 1.11+"
      continue
    fi
    target="$work/$tf/$dir"
    mkdir -p "$target"
    cp "$dir"/*.tf "$target/"
    grep -q required_providers "$dir"/*.tf || printf '%s\n' "$required_providers" >"$target/zz_required_providers.tf"
    if grep -q 'dbsql_connection\.sales' "$dir"/*.tf && ! grep -q 'resource "dbsql_connection" "sales"' "$dir"/*.tf; then
      printf '%s\n' "$companions" >"$target/zz_companions.tf"
    fi
    printf '%-62s' "$tf validate $dir"
    (cd "$target" && "$BIN/$tf" validate -no-color >"$work/out" 2>&1) || { echo; cat "$work/out" >&2; fail "$dir does not validate with $tf"; }
    echo ok
  done
done
