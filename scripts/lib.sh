# Shared by the scripts of `make demo` and `make examples-check`. Source it; do not run it.

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nerror: %s\n' "$*" >&2; exit 1; }

# write_cli_config FILE DIR: a CLI configuration that serves dbsqlhq/dbsql from DIR
# (dev_overrides, no init needed) under both registries' addresses, for Terraform and
# OpenTofu alike. It lives in a temporary directory, never in the user's home.
write_cli_config() {
  cat >"$1" <<CFG
provider_installation {
  dev_overrides {
    "registry.terraform.io/dbsqlhq/dbsql" = "$2"
    "registry.opentofu.org/dbsqlhq/dbsql" = "$2"
  }
  direct {}
}
CFG
}

# new_token prints a fresh random token, for an emulator run.
new_token() { printf 'dapi%s' "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"; }

# start_emulator DIR TOKEN [FLAG...]: starts $BIN/dbsql-emulator on a free loopback port,
# with TOKEN passed through the environment (never on its command line, where other
# users of the machine could read it), and waits until it listens. Sets emulator_pid and
# emulator_url; its log is DIR/emulator.log. Pair it with stop_emulator in a trap.
start_emulator() {
  local dir=$1 token=$2
  shift 2
  DBSQL_EMULATOR_TOKEN=$token "$BIN/dbsql-emulator" -addr 127.0.0.1:0 -url-file "$dir/url" "$@" >"$dir/emulator.log" 2>&1 &
  emulator_pid=$!
  for _ in $(seq 1 150); do
    [ -s "$dir/url" ] && break
    kill -0 "$emulator_pid" 2>/dev/null || { cat "$dir/emulator.log" >&2; fail "the emulator exited before it was ready"; }
    sleep 0.2
  done
  [ -s "$dir/url" ] || fail "the emulator did not start within 30 seconds"
  emulator_url=$(cat "$dir/url")
}

# stop_emulator stops what start_emulator started, if anything.
stop_emulator() {
  if [ -n "${emulator_pid:-}" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
    emulator_pid=
  fi
}
