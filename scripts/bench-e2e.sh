#!/usr/bin/env bash
# The end-to-end benchmark of BENCHMARKS.md: `plan` with each CLI against the local
# Databricks emulator. For each run it prints the wall time of the plan, and the CPU time
# and peak memory (RSS) of the provider processes, which the CLI starts itself: the
# provider is reached through a wrapper that runs it under GNU time. The end prints the
# median of each configuration.
#
# Configurations: one query of ROWS rows x 8 columns, typed rows and one JSON string
# (result_format = "json"); one query of 10 rows; 50 queries of 10 rows. Optional:
# SCALE sizes, both forms; LINK_ROWS wide rows past the 25 MiB INLINE limit, read through
# external links, as JSON.
#
# Expects the CLIs, the provider and the emulator in $BIN (`make build emulator tools`).
# Knobs:
#   CLIS ("terraform tofu"), RUNS (3), ROWS (100000), CHUNK_ROWS (rows per chunk, 10000),
#   LATENCY (added to every emulator request, e.g. 20ms; default none),
#   FORMS ("typed json"): the forms of the ROWS query,
#   BEFORE (a git revision, e.g. bbadf0a) or BEFORE_BIN (a provider binary): an earlier
#     provider, built here from BEFORE, run on the same typed query, the one-query and the
#     50-query configurations, for before and after figures of the same run,
#   SCALE (e.g. "1000 10000 100000"): one query of each size, in both forms,
#   LINK_ROWS (e.g. 1000000, about 200 MB of JSON): the external links case,
#   ONLY (e.g. "typed json"): run only the configurations whose name starts so,
#   PROVIDER_ENV (e.g. "GOGC=50"): environment of the provider process, to try a setting.
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
FORMS=${FORMS:-typed json}
BEFORE=${BEFORE:-}
BEFORE_BIN=${BEFORE_BIN:-}
SCALE=${SCALE:-}
LINK_ROWS=${LINK_ROWS:-0}
ONLY=${ONLY:-}
PROVIDER_ENV=${PROVIDER_ENV:-}
GNU_TIME=${GNU_TIME:-/usr/bin/time}

for f in $CLIS terraform-provider-dbsql dbsql-emulator; do
  [ -x "$BIN/$f" ] || fail "$BIN/$f is missing: run 'make build emulator tools' first"
done
[ -z "$BEFORE_BIN" ] || [ -x "$BEFORE_BIN" ] || fail "BEFORE_BIN=$BEFORE_BIN is not an executable"
[ -x "$GNU_TIME" ] || fail "GNU time ($GNU_TIME) is needed to read the provider's peak memory: apt-get install time"

work=$(mktemp -d)
cleanup() {
  stop_emulator
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$BEFORE" ]; then
  step "Building the provider of $BEFORE"
  mkdir -p "$work/before-src"
  git archive "$BEFORE" | tar -x -C "$work/before-src"
  (cd "$work/before-src" && CGO_ENABLED=0 go build -trimpath -o "$work/terraform-provider-dbsql-before" .)
  BEFORE_BIN=$work/terraform-provider-dbsql-before
fi

token=$(new_token)
warehouse=bench0123456789a

step "Starting the emulator ($CHUNK_ROWS rows per chunk, latency $LATENCY)"
start_emulator "$work" "$token" -warehouse-id "$warehouse" -sample-trips -1 -chunk-rows "$CHUNK_ROWS" -latency "$LATENCY" -v
url=$emulator_url
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# The CLI finds the provider in a plugins directory: a wrapper that records the peak RSS
# (KiB) and the CPU seconds of the real provider, in a file of its own per start (a plan
# starts it more than once). One directory and CLI configuration per provider binary.
mkdir -p "$work/rss"
providers="after"
[ -z "$BEFORE_BIN" ] || providers="after before"
for p in $providers; do
  binary="$BIN/terraform-provider-dbsql"
  [ "$p" = before ] && binary=$BEFORE_BIN
  mkdir -p "$work/plugins-$p"
  cat >"$work/plugins-$p/terraform-provider-dbsql" <<WRAPPER
#!/usr/bin/env bash
exec env $PROVIDER_ENV "$GNU_TIME" -f '%M %U %S' -o "$work/rss/\$\$" "$binary" "\$@"
WRAPPER
  chmod +x "$work/plugins-$p/terraform-provider-dbsql"
  write_cli_config "$work/cli-$p.tfrc" "$work/plugins-$p"
done
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export DATABRICKS_HOST="$url" DATABRICKS_TOKEN="$token" DATABRICKS_WAREHOUSE_ID="$warehouse"

# big_statement N [PAD]: N rows of the 8 columns BenchmarkDecodeConvert uses
# (internal/provider/query_bench_test.go), and a ninth of PAD characters when PAD is set.
big_statement() {
  local pad=""
  [ -z "${2:-}" ] || pad=", repeat('x', $2) AS pad"
  echo "SELECT i AS id, CAST(i % 500 AS INT) AS qty, CAST((i % 1000000) / 100 AS DECIMAL(10,2)) AS price,
  CAST(i AS DOUBLE) / 7 AS ratio, 'customer-' || CAST(i AS STRING) AS name, i % 2 = 0 AS active,
  DATE '2024-01-01' + CAST(i % 365 AS INT) AS day, timestampadd(SECOND, i % 86400, TIMESTAMP '2024-03-15 12:00:00') AS updated$pad
FROM range($1) AS t(i) ORDER BY i"
}
header='terraform {
  required_providers {
    dbsql = {
      source = "dbsqlhq/dbsql"
    }
  }
}
provider "dbsql" {}
'
printf 'Authorization: Bearer %s\n' "$token" >"$work/auth"

# one_query NAME N FORM [PAD]: a configuration of one query of N rows in FORM; records
# the JSON size of its result, as the emulator counts it (manifest.total_byte_count: the
# rows of data_array), from one request made here with EXTERNAL_LINKS, which has no size
# limit. The token goes in a header file.
declare -A json_bytes
one_query() {
  local name=$1 rows=$2 form=$3 statement format=""
  statement=$(big_statement "$rows" "${4:-}")
  # Typed is the default, which an earlier build also reads without the argument.
  [ "$form" = typed ] || format="result_format = \"$form\""
  mkdir -p "$work/$name"
  cat >"$work/$name/main.tf" <<HCL
$header
data "dbsql_query" "big" {
  statement = <<-SQL
$statement
  SQL
  row_limit = $rows
  $format
}
output "rows" {
  value = data.dbsql_query.big.row_count
}
HCL
  jq -n --arg s "$statement" --arg w "$warehouse" --argjson n "$rows" \
    '{statement: $s, warehouse_id: $w, row_limit: $n, wait_timeout: "50s", disposition: "EXTERNAL_LINKS", format: "JSON_ARRAY"}' >"$work/body.json"
  json_bytes[$name]=$(curl -sS -H @"$work/auth" -H 'Content-Type: application/json' --data @"$work/body.json" \
    "$url/api/2.0/sql/statements" | jq -e '.manifest.total_byte_count') || fail "could not measure the JSON size of $name"
  echo "$name: $rows rows, ${json_bytes[$name]} bytes of JSON ($(numfmt --to=iec "${json_bytes[$name]}"))"
}

configs=()
for form in $FORMS; do
  one_query "$form-$ROWS" "$ROWS" "$form"
  configs+=("$form-$ROWS")
done
for n in $SCALE; do
  for form in typed json; do
    [ "$n" = "$ROWS" ] && [[ " $FORMS " == *" $form "* ]] && continue
    one_query "$form-$n" "$n" "$form"
    configs+=("$form-$n")
  done
done
if [ "$LINK_ROWS" -gt 0 ]; then
  one_query "links-$LINK_ROWS" "$LINK_ROWS" json 100
  configs+=("links-$LINK_ROWS")
fi
mkdir -p "$work/one" "$work/small"
cat >"$work/one/main.tf" <<HCL
$header
data "dbsql_query" "one" {
  statement = "SELECT i, 'row ' || CAST(i AS STRING) AS label FROM range(10) AS t(i)"
}
output "rows" {
  value = data.dbsql_query.one.row_count
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
configs+=(one small)

# run CLI PROVIDER DIR: one plan; prints its wall time in ms, the peak RSS in KiB of the
# provider processes it started, their CPU time in ms, and the statements the emulator
# received.
run() {
  rm -f "$work/rss"/*
  local start end before after
  before=$(grep -c 'POST /api/2.0/sql/statements ' "$work/emulator.log" || true)
  start=$(date +%s%N)
  (cd "$3" && TF_CLI_CONFIG_FILE="$work/cli-$2.tfrc" "$BIN/$1" plan -input=false -no-color -lock=false >"$work/plan.log" 2>&1) || {
    cat "$work/plan.log" >&2
    fail "$1 plan failed in $3 with the $2 provider"
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

# median: the median of the numbers on stdin.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%d\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

results="$work/results"
: >"$results"
printf '\n%-9s %-6s %-14s %3s %10s %10s %12s %10s %9s\n' CLI build configuration run "wall (ms)" statements "provider CPU" "peak RSS" "RSS/JSON"
for cli in $CLIS; do
  for config in "${configs[@]}"; do
    [ -z "$ONLY" ] || [[ " $ONLY " == *" ${config%%-*} "* ]] || continue
    for p in $providers; do
      # The earlier build knows no JSON form; it runs the typed and small configurations.
      [ "$p" = before ] && [[ "$config" != typed-"$ROWS" && "$config" != one && "$config" != small ]] && continue
      for i in $(seq 1 "$RUNS"); do
        read -r ms kib cpu statements < <(run "$cli" "$p" "$work/$config")
        ratio="-"
        [ -z "${json_bytes[$config]:-}" ] || ratio=$(awk -v k="$kib" -v j="${json_bytes[$config]}" 'BEGIN { printf "%.1f", k * 1024 / j }')
        printf '%-9s %-6s %-14s %3d %10d %10d %9d ms %6d MiB %9s\n' "$cli" "$p" "$config" "$i" "$ms" "$statements" "$cpu" $((kib / 1024)) "$ratio"
        echo "$cli $p $config $ms $cpu $kib" >>"$results"
      done
    done
  done
done

printf '\nMedians of %d runs (load average now: %s)\n' "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %-6s %-14s %10s %12s %10s %9s\n' CLI build configuration "wall (ms)" "provider CPU" "peak RSS" "RSS/JSON"
awk '{ print $1, $2, $3 }' "$results" | uniq | while read -r cli p config; do
  ms=$(awk -v a="$cli" -v b="$p" -v c="$config" '$1 == a && $2 == b && $3 == c { print $4 }' "$results" | median)
  cpu=$(awk -v a="$cli" -v b="$p" -v c="$config" '$1 == a && $2 == b && $3 == c { print $5 }' "$results" | median)
  kib=$(awk -v a="$cli" -v b="$p" -v c="$config" '$1 == a && $2 == b && $3 == c { print $6 }' "$results" | median)
  ratio="-"
  [ -z "${json_bytes[$config]:-}" ] || ratio=$(awk -v k="$kib" -v j="${json_bytes[$config]}" 'BEGIN { printf "%.1f", k * 1024 / j }')
  printf '%-9s %-6s %-14s %10d %9d ms %6d MiB %9s\n' "$cli" "$p" "$config" "$ms" "$cpu" $((kib / 1024)) "$ratio"
done
