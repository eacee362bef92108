#!/usr/bin/env bash
# make docs: regenerate docs/ from the provider's schema, examples/ and templates/.
#
# tfplugindocs normally asks the `terraform` on PATH for the provider's schema, but
# Terraform 1.5.7 (the newest that builds here) predates ephemeral resources and would
# leave them out. OpenTofu knows them: export the schema with it, under the address
# tfplugindocs looks for, and hand that to tfplugindocs.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

BIN=${BIN:-$PWD/bin}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

write_cli_config "$work/cli.tfrc" "$BIN"
printf '%s\n' 'terraform {' '  required_providers {' '    dbsql = { source = "dbsqlhq/dbsql" }' '  }' '}' >"$work/main.tf"
(cd "$work" && TF_CLI_CONFIG_FILE="$work/cli.tfrc" "$BIN/tofu" providers schema -json >"$work/schema.json") ||
  fail "tofu could not export the provider schema"
sed -i 's#"registry.opentofu.org/dbsqlhq/dbsql"#"registry.terraform.io/hashicorp/dbsql"#' "$work/schema.json"

"$BIN/tfplugindocs" generate --provider-name dbsql --rendered-provider-name dbsql --providers-schema "$work/schema.json"
# Every page is in one of the Registry's groups: the validation fails a page without one.
"$BIN/tfplugindocs" validate --provider-name dbsql \
  --allowed-resource-subcategories "Connections,SQL,Tokens,Functions" --allowed-guide-subcategories "Guides"
