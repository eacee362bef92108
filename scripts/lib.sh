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
