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
  step "$tf: fmt -check and validate each example"
  for dir in "${dirs[@]}"; do
    # Terraform 1.5.7 has no provider functions, ephemeral resources or write-only arguments (1.8,
    # 1.10, 1.11); OpenTofu validates those examples.
    if [ "$tf" = terraform ] && grep -Eq '^ephemeral "|_wo +=|provider::' "$dir"/*.tf; then
      printf '%-64s %s\n' "$tf validate $dir" "skipped: needs a newer Terraform"
      continue
    fi
    "$BIN/$tf" fmt -check -diff -no-color "$dir" || fail "$dir is not formatted: run 'make fmt'"
    target="$work/$tf/$dir"
    mkdir -p "$target"
    cp "$dir"/*.tf "$target/"
    grep -q required_providers "$dir"/*.tf || printf '%s\n' "$required_providers" >"$target/zz_required_providers.tf"
    if grep -q 'dbsql_connection\.sales' "$dir"/*.tf && ! grep -q 'resource "dbsql_connection" "sales"' "$dir"/*.tf; then
      printf '%s\n' "$companions" >"$target/zz_companions.tf"
    fi
    printf '%-64s ' "$tf validate $dir"
    (cd "$target" && "$BIN/$tf" validate -no-color >"$work/out" 2>&1) || { echo; cat "$work/out" >&2; fail "$dir does not validate with $tf"; }
    echo ok
  done
done
