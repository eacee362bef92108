#!/usr/bin/env bash
# The end-to-end benchmark of BENCHMARKS.md: `plan` with each CLI against the local
# Databricks emulator, on one query of 100,000 rows and on 50 small queries. For each
# run it prints the wall time of the plan and the peak memory (RSS) of the provider
# process, which the CLI starts itself: the provider is reached through a wrapper that
# runs it under GNU time.
#
# Expects the CLIs, the provider and the emulator in $BIN (`make build emulator tools`).
# Knobs: CLIS ("terraform tofu"), RUNS (3), ROWS (100000), CHUNK_ROWS (rows per chunk,
# 10000), LATENCY (added to every emulator request, e.g. 20ms; default none).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

BIN=${BIN:-$PWD/bin}
CLIS=${CLIS:-terraform tofu}
RUNS=${RUNS:-3}
ROWS=${ROWS:-100000}
CHUNK_ROWS=${CHUNK_ROWS:-10000}
LATENCY=${LATENCY:-0s}
GNU_TIME=${GNU_TIME:-/usr/bin/time}

for f in $CLIS terraform-provider-dbsql dbsql-emulator; do
  [ -x "$BIN/$f" ] || fail "$BIN/$f is missing: run 'make build emulator tools' first"
done
[ -x "$GNU_TIME" ] || fail "GNU time ($GNU_TIME) is needed to read the provider's peak memory: apt-get install time"

work=$(mktemp -d)
cleanup() {
  stop_emulator
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

token=$(new_token)
warehouse=bench0123456789a

step "Starting the emulator ($CHUNK_ROWS rows per chunk, latency $LATENCY)"
start_emulator "$work" "$token" -warehouse-id "$warehouse" -sample-trips -1 -chunk-rows "$CHUNK_ROWS" -latency "$LATENCY" -v
url=$emulator_url

# The CLI finds the provider in $work/plugins: a wrapper that records the peak RSS (KiB)
# and the CPU seconds of the real provider, in a file of its own per start (a plan starts
# it more than once).
mkdir -p "$work/plugins" "$work/rss"
cat >"$work/plugins/terraform-provider-dbsql" <<WRAPPER
#!/usr/bin/env bash
exec "$GNU_TIME" -f '%M %U %S' -o "$work/rss/\$\$" "$BIN/terraform-provider-dbsql" "\$@"
WRAPPER
chmod +x "$work/plugins/terraform-provider-dbsql"
write_cli_config "$work/cli.tfrc" "$work/plugins"
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export DATABRICKS_HOST="$url" DATABRICKS_TOKEN="$token" DATABRICKS_WAREHOUSE_ID="$warehouse"

# 8 columns of the types BenchmarkDecodeConvert uses (internal/provider/query_bench_test.go).
big_statement="SELECT i AS id, CAST(i % 500 AS INT) AS qty, CAST((i % 1000000) / 100 AS DECIMAL(10,2)) AS price,
  CAST(i AS DOUBLE) / 7 AS ratio, 'customer-' || CAST(i AS STRING) AS name, i % 2 = 0 AS active,
  DATE '2024-01-01' + CAST(i % 365 AS INT) AS day, timestampadd(SECOND, i % 86400, TIMESTAMP '2024-03-15 12:00:00') AS updated
FROM range($ROWS) AS t(i) ORDER BY i"
header='terraform {
  required_providers {
    dbsql = {
      source = "dbsqlhq/dbsql"
    }
  }
}
provider "dbsql" {}
'
mkdir -p "$work/big" "$work/small"
cat >"$work/big/main.tf" <<HCL
$header
data "dbsql_query" "big" {
  statement = <<-SQL
$big_statement
  SQL
  row_limit = $ROWS
}
output "rows" {
  value = data.dbsql_query.big.row_count
}
HCL
cat >"$work/small/main.tf" <<HCL
$header
data "dbsql_query" "small" {
  count      = 50
  statement  = "SELECT CAST(:n AS INT) AS n, 'query ' || CAST(i AS STRING) AS label FROM range(10) AS t(i)"
  parameters = [{ name = "n", value = tostring(count.index), type = "INT" }]
}
output "rows" {
  value = sum([for q in data.dbsql_query.small : q.row_count])
}
HCL

# The JSON size of the big result, as the emulator counts it (manifest.total_byte_count:
# the rows of data_array), from one request made here; the token goes in a header file.
printf 'Authorization: Bearer %s\n' "$token" >"$work/auth"
jq -n --arg s "$big_statement" --arg w "$warehouse" --argjson n "$ROWS" \
  '{statement: $s, warehouse_id: $w, row_limit: $n, wait_timeout: "50s", disposition: "INLINE", format: "JSON_ARRAY"}' >"$work/body.json"
json_bytes=$(curl -sS -H @"$work/auth" -H 'Content-Type: application/json' --data @"$work/body.json" \
  "$url/api/2.0/sql/statements" | jq -e '.manifest.total_byte_count') || fail "could not measure the result's JSON size"
echo "Result of the big query: $ROWS rows, $json_bytes bytes of JSON ($(numfmt --to=iec "$json_bytes"))"

# run CLI DIR: one plan; prints its wall time in ms, the peak RSS in KiB of the provider
# processes it started, their CPU time in ms, and the statements the emulator received.
run() {
  rm -f "$work/rss"/*
  local start end before after
  before=$(grep -c 'POST /api/2.0/sql/statements ' "$work/emulator.log" || true)
  start=$(date +%s%N)
  (cd "$2" && "$BIN/$1" plan -input=false -no-color -lock=false >"$work/plan.log" 2>&1) || {
    cat "$work/plan.log" >&2
    fail "$1 plan failed in $2"
  }
  end=$(date +%s%N)
  after=$(grep -c 'POST /api/2.0/sql/statements ' "$work/emulator.log" || true)
  local peak=0 cpu=0 kib user sys
  for f in "$work/rss"/*; do
    read -r kib user sys < <(tail -n 1 "$f")
    [ "$kib" -gt "$peak" ] && peak=$kib
    cpu=$(awk -v c="$cpu" -v u="$user" -v s="$sys" 'BEGIN { printf "%d", c + (u + s) * 1000 }')
  done
  echo "$(((end - start) / 1000000)) $peak $cpu $((after - before))"
}

printf '\n%-9s %-22s %3s %10s %12s %13s %10s %10s\n' CLI configuration run "wall (ms)" "statements" "provider CPU" "peak RSS" "RSS/JSON"
for cli in $CLIS; do
  for config in big small; do
    case $config in
      big) label="1 query x $ROWS rows" ;;
      small) label="50 queries x 10 rows" ;;
    esac
    for i in $(seq 1 "$RUNS"); do
      read -r ms kib cpu statements < <(run "$cli" "$work/$config")
      ratio=$(awk -v k="$kib" -v j="$json_bytes" 'BEGIN { printf "%.1f", k * 1024 / j }')
      [ "$config" = big ] || ratio="-"
      printf '%-9s %-22s %3d %10d %12d %10d ms %6d MiB %10s\n' "$cli" "$label" "$i" "$ms" "$statements" "$cpu" $((kib / 1024)) "$ratio"
    done
  done
done
