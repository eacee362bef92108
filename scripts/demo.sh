#!/usr/bin/env bash
# make demo: the quickstart (examples/quickstart) against the local Databricks emulator.
# Starts the emulator on a free loopback port, applies, prints the outputs, destroys,
# and leaves nothing running or behind. TF picks the CLI: tofu (OpenTofu, the default),
# terraform-current (a current Terraform) or terraform (Terraform 1.5.7). Expects
# `make build emulator` and the CLI to be in $BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

BIN=${BIN:-$PWD/bin}
TF=${TF:-tofu}
case "$TF" in terraform | terraform-current | tofu) ;; *) fail "TF must be tofu, terraform-current or terraform, not '$TF'" ;; esac
for f in "$TF" terraform-provider-dbsql dbsql-emulator; do
  [ -x "$BIN/$f" ] || fail "$BIN/$f is missing: run this through 'make demo'"
done

work=$(mktemp -d)
cleanup() {
  stop_emulator
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

token=$(new_token)
warehouse=demo0123456789ab

step "Starting the Databricks emulator (DuckDB, with samples.nyctaxi.trips)"
start_emulator "$work" "$token" -warehouse-id "$warehouse" -warehouse-name "Demo warehouse"
url=$emulator_url
echo "Emulator at $url, warehouse $warehouse"

write_cli_config "$work/cli.tfrc" "$BIN"
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export TF_VAR_base_url="$url" TF_VAR_access_token="$token" TF_VAR_warehouse_id="$warehouse"
cp -R examples/quickstart "$work/quickstart"
cd "$work/quickstart"

step "$("$BIN/$TF" version | sed -n 1p) apply: create the connection (tested on apply) and run the query"
"$BIN/$TF" apply -auto-approve -input=false -no-color || fail "$TF apply failed"

step "Outputs"
"$BIN/$TF" output -no-color user_name
"$BIN/$TF" output -no-color warehouse_name
"$BIN/$TF" output -raw -no-color busiest_pickup_zips
echo

step "$TF destroy"
"$BIN/$TF" destroy -auto-approve -input=false -no-color || fail "$TF destroy failed"

step "Done: the emulator stops and the working directory is removed"
