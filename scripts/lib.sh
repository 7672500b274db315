# shellcheck shell=bash
# Helpers shared by scripts/serve and scripts/test. Source it; do not run it.
#
#   grappe_ensure_packages [--lint]   install missing Debian packages (apt)
#   grappe_build DIR [MESON_OPTION...] meson setup (first time) + compile
#   grappe_pg_start DATA_DIR           private PostgreSQL under DATA_DIR/postgres,
#                                      exports GRAPPE_DATABASE_URL
#   grappe_pg_stop DATA_DIR            stop it, only if grappe_pg_start started it
#   grappe_free_port [PORT]            print PORT if free on 127.0.0.1, else a free one
#   grappe_pg_start_replica DIR PORT   a streaming replica of the PostgreSQL on PORT,
#                                      exports GRAPPE_REPLICA_PORT
#   grappe_pgbouncer_start DIR PG_PORT pgbouncer (transaction mode) in front of it,
#                                      exports GRAPPE_PGBOUNCER_PORT; grappe_pgbouncer_stop DIR
#
# Messages go to standard error, prefixed with the script's name.

GRAPPE_SCRIPT_NAME=${GRAPPE_SCRIPT_NAME:-$(basename "$0")}

grappe_log() { printf '%s: %s\n' "$GRAPPE_SCRIPT_NAME" "$*" >&2; }
grappe_die() { grappe_log "error: $*"; exit 1; }

# Packages every script needs. postgresql-15 includes the contrib extensions
# (unaccent, pg_trgm) on Debian 12: there is no postgresql-contrib-15 package.
GRAPPE_PACKAGES=(
  build-essential meson ninja-build pkg-config
  libulfius-dev libjansson-dev liborcania-dev libyder-dev libmicrohttpd-dev
  libpq-dev libgnutls28-dev libcurl4-gnutls-dev libmimalloc-dev librhonabwy-dev
  postgresql-15 postgresql-client-15
  python3 python3-yaml python3-pytest python3-requests python3-jsonschema python3-icalendar
  curl
)

_grappe_pkg_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]
}

_GRAPPE_APT_UPDATED=0

# grappe_ensure_packages [--lint]: installs what is missing with apt-get, as root
# or through sudo. --lint adds Node.js and npm (scripts/lint-openapi), unless an
# npm command is already there (a nodejs from elsewhere bundles its own npm and
# conflicts with Debian's npm package).
grappe_ensure_packages() {
  local wanted=("${GRAPPE_PACKAGES[@]}") missing=() p
  if [ "${1:-}" = "--lint" ] && ! command -v npm >/dev/null 2>&1; then
    wanted+=(nodejs npm)
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    grappe_log "warning: not a Debian system (no dpkg-query); make sure these are installed: ${wanted[*]}"
    return 0
  fi
  for p in "${wanted[@]}"; do
    _grappe_pkg_installed "$p" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
      sudo=(sudo)
    else
      grappe_log "error: these Debian packages are missing: ${missing[*]}"
      grappe_log "install them as root, then run this again:"
      grappe_log "  apt-get update && apt-get install -y ${missing[*]}"
      exit 1
    fi
  fi
  grappe_log "installing missing packages: ${missing[*]}"
  if [ "$_GRAPPE_APT_UPDATED" -eq 0 ]; then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
      || grappe_die "apt-get update failed"
    _GRAPPE_APT_UPDATED=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}" \
    || grappe_die "apt-get install failed for: ${missing[*]}"
}

# grappe_build DIR [MESON_OPTION...]: configures DIR on first use (options such as
# -Dwerror=true are applied to an existing DIR too), then compiles it.
grappe_build() {
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ] && [ -d "$dir/meson-private" ]; then
    if [ "$#" -gt 0 ]; then
      meson configure "$dir" "$@" >/dev/null || return 1
    fi
  elif [ -d "$dir/meson-private" ]; then
    # An earlier setup failed half-way: start over.
    meson setup --wipe "$dir" "$@" || return 1
  else
    meson setup "$dir" "$@" || return 1
  fi
  meson compile -C "$dir"
}

# grappe_free_port [PORT]: prints PORT when nothing listens on 127.0.0.1:PORT,
# otherwise a port the kernel hands out as free.
grappe_free_port() {
  /usr/bin/python3 - "${1:-0}" <<'EOF'
import socket, sys
want = int(sys.argv[1])
def try_bind(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # As servers do: a connection in TIME_WAIT does not make the port busy.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return s.getsockname()[1]
    except OSError:
        return None
    finally:
        s.close()
port = try_bind(want) if want else None
print(port or try_bind(0))
EOF
}

# grappe_port_free PORT: true when PORT can be bound on 127.0.0.1.
grappe_port_free() {
  [ "$(grappe_free_port "$1")" = "$1" ]
}

# --- private PostgreSQL --------------------------------------------------------

_GRAPPE_PG_STARTED=()   # data directories (PGDATA) that grappe_pg_start started

_grappe_pg_bindir() {
  local d
  d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ ! -x "$d/pg_ctl" ]; then
    grappe_die "no PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql-15)"
  fi
  printf '%s\n' "$d"
}

# The user that owns and runs the cluster: ourselves, or when root (PostgreSQL
# refuses to run as root) the postgres user, or a system user grappe we create.
_grappe_pg_user() {
  if [ "$(id -u)" -ne 0 ]; then
    id -un
  elif getent passwd postgres >/dev/null; then
    echo postgres
  else
    getent passwd grappe >/dev/null \
      || useradd --system --user-group --no-create-home --home-dir /nonexistent \
           --shell /usr/sbin/nologin grappe \
      || grappe_die "could not create the system user grappe"
    echo grappe
  fi
}

# _grappe_pg_as USER CMD...: runs CMD as USER, from / (the caller's working
# directory may be unreadable to USER).
_grappe_pg_as() {
  local user=$1
  shift
  if [ "$(id -u)" -eq 0 ] && [ "$user" != root ]; then
    (cd / && runuser -u "$user" -- "$@")
  else
    (cd / && "$@")
  fi
}

# _grappe_pg_root DATA_DIR USER: prints the directory that holds the cluster:
# DATA_DIR/postgres, or, when USER cannot reach it (a repository under /root, a
# private temporary directory), one under /var/tmp named after DATA_DIR's path
# so that the next run finds it again.
_grappe_pg_root() {
  local data_dir=$1 user=$2 root
  mkdir -p "$data_dir" || grappe_die "cannot create $data_dir"
  data_dir=$(cd "$data_dir" && pwd -P)
  root=$data_dir/postgres
  if [ "$(id -u)" -eq 0 ] && [ "$user" != root ]; then
    if ! runuser -u "$user" -- test -x "$data_dir"; then
      local hash
      hash=$(printf '%s' "$data_dir" | sha256sum | cut -c1-12)
      root=/var/tmp/grappe-postgres-$hash
      if [ ! -d "$root" ]; then
        grappe_log "note: user $user cannot reach $data_dir (a parent directory is not"
        grappe_log "      searchable by others); the PostgreSQL cluster lives in $root instead"
      fi
    fi
  fi
  printf '%s\n' "$root"
}

# grappe_pg_start DATA_DIR: starts (after initdb on first use) a PostgreSQL that
# listens on 127.0.0.1 only, creates the database grappe and exports
# GRAPPE_DATABASE_URL. GRAPPE_PG_FAST=1 trades durability for speed (tests).
grappe_pg_start() {
  local data_dir=${1:?grappe_pg_start DATA_DIR}
  local bindir user root pgdata sockdir port logfile
  bindir=$(_grappe_pg_bindir) || exit 1
  user=$(_grappe_pg_user) || exit 1
  root=$(_grappe_pg_root "$data_dir" "$user") || exit 1
  pgdata=$root/data
  sockdir=$root
  logfile=$root/postgresql.log

  mkdir -p "$root"
  if [ "$(id -u)" -eq 0 ] && [ "$user" != root ]; then
    chown "$user:" "$root"
  fi
  chmod 700 "$root"

  if [ ! -f "$pgdata/PG_VERSION" ]; then
    grappe_log "initialising a PostgreSQL cluster in $pgdata"
    local initdb_opts=(-D "$pgdata" -U grappe --auth=trust --encoding=UTF8 --locale=C.UTF-8)
    [ "${GRAPPE_PG_FAST:-0}" = 1 ] && initdb_opts+=(--no-sync)
    _grappe_pg_as "$user" "$bindir/initdb" "${initdb_opts[@]}" >"$root/initdb.log" 2>&1 || {
      cat "$root/initdb.log" >&2
      grappe_die "initdb failed"
    }
    printf "\n# Written by scripts/lib.sh at each start.\ninclude_if_exists = 'grappe.conf'\n" \
      >>"$pgdata/postgresql.conf"
  fi

  # Already running (an earlier run that did not stop it, or another one): use it
  # and leave it running.
  if _grappe_pg_as "$user" "$bindir/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    port=$(sed -n 4p "$pgdata/postmaster.pid" 2>/dev/null)
    [ -n "$port" ] || port=$(cat "$root/port" 2>/dev/null)
    grappe_log "PostgreSQL is already running in $pgdata (port $port): using it, it will be left running"
  else
    port=$(cat "$root/port" 2>/dev/null || true)
    port=$(grappe_free_port "${port:-0}")
    [ -n "$port" ] || grappe_die "could not find a free TCP port"
    # A Unix socket path is limited to 107 bytes: go without one if too long
    # (clients use TCP on 127.0.0.1 anyway).
    local sockdirs="'$sockdir'"
    [ "${#sockdir}" -gt 90 ] && sockdirs="''"
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = $port"
      echo "unix_socket_directories = $sockdirs"
      echo "max_connections = 200"
      echo "shared_buffers = 128MB"
      # More settings from the caller (bench/run), one per line.
      [ -n "${GRAPPE_PG_CONF_EXTRA:-}" ] && printf '%s\n' "$GRAPPE_PG_CONF_EXTRA"
      if [ "${GRAPPE_PG_FAST:-0}" = 1 ]; then
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
      fi
    } >"$pgdata/grappe.conf"
    echo "$port" >"$root/port"
    if [ "$(id -u)" -eq 0 ] && [ "$user" != root ]; then
      chown "$user:" "$pgdata/grappe.conf" "$root/port"
    fi
    : >"$logfile"
    [ "$(id -u)" -eq 0 ] && [ "$user" != root ] && chown "$user:" "$logfile"
    grappe_log "starting PostgreSQL on 127.0.0.1:$port (data $pgdata, log $logfile)"
    if ! _grappe_pg_as "$user" "$bindir/pg_ctl" -D "$pgdata" -l "$logfile" -w -t 60 start >/dev/null; then
      tail -n 30 "$logfile" >&2
      grappe_die "PostgreSQL did not start"
    fi
    _GRAPPE_PG_STARTED+=("$pgdata")
  fi

  local i
  for i in $(seq 1 60); do
    "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U grappe -d postgres && break
    [ "$i" -eq 60 ] && grappe_die "PostgreSQL on port $port is not ready after 30 s"
    sleep 0.5
  done

  local psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U grappe)
  if [ -z "$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'grappe'")" ]; then
    "${psql[@]}" -d postgres -c 'CREATE DATABASE grappe' || grappe_die "could not create the database grappe"
  fi
  export GRAPPE_PG_PORT=$port
  export GRAPPE_DATABASE_URL="postgresql://grappe@127.0.0.1:$port/grappe"
}

# grappe_pg_stop DATA_DIR: stops the PostgreSQL of DATA_DIR if this shell
# started it; a server that was already running is left alone.
grappe_pg_stop() {
  local data_dir=${1:?grappe_pg_stop DATA_DIR}
  [ "${#_GRAPPE_PG_STARTED[@]}" -gt 0 ] || return 0
  [ -d "$data_dir" ] || return 0
  local bindir user root pgdata keep=() d found=0
  bindir=$(_grappe_pg_bindir) || return 1
  user=$(_grappe_pg_user) || return 1
  root=$(_grappe_pg_root "$data_dir" "$user") || return 1
  pgdata=$root/data
  for d in "${_GRAPPE_PG_STARTED[@]}"; do
    if [ "$d" = "$pgdata" ]; then found=1; else keep+=("$d"); fi
  done
  [ "$found" -eq 1 ] || return 0
  _GRAPPE_PG_STARTED=("${keep[@]}")
  grappe_log "stopping PostgreSQL ($pgdata)"
  _grappe_pg_as "$user" "$bindir/pg_ctl" -D "$pgdata" -m fast -w -t 60 stop >/dev/null \
    || grappe_log "warning: pg_ctl stop failed for $pgdata"
}

# grappe_pg_start_replica DATA_DIR PRIMARY_PORT: a streaming replica (hot standby) of the
# private PostgreSQL on PRIMARY_PORT, made by pg_basebackup on first use, started like
# grappe_pg_start (stop it with grappe_pg_stop DATA_DIR). Exports GRAPPE_REPLICA_PORT and
# leaves GRAPPE_PG_PORT and GRAPPE_DATABASE_URL as they were (the primary's).
grappe_pg_start_replica() {
  local data_dir=${1:?grappe_pg_start_replica DATA_DIR PRIMARY_PORT}
  local primary_port=${2:?grappe_pg_start_replica DATA_DIR PRIMARY_PORT}
  local bindir user root saved_port=${GRAPPE_PG_PORT:-} saved_url=${GRAPPE_DATABASE_URL:-}
  bindir=$(_grappe_pg_bindir) || exit 1
  user=$(_grappe_pg_user) || exit 1
  root=$(_grappe_pg_root "$data_dir" "$user") || exit 1
  if [ ! -f "$root/data/PG_VERSION" ]; then
    mkdir -p "$root"
    if [ "$(id -u)" -eq 0 ] && [ "$user" != root ]; then
      chown "$user:" "$root"
    fi
    chmod 700 "$root"
    grappe_log "pg_basebackup of 127.0.0.1:$primary_port into $root/data (a streaming replica)"
    _grappe_pg_as "$user" "$bindir/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U grappe \
      -D "$root/data" -R -X stream -c fast >"$root/basebackup.log" 2>&1 || {
      cat "$root/basebackup.log" >&2
      grappe_die "pg_basebackup failed"
    }
  fi
  grappe_pg_start "$data_dir"
  export GRAPPE_REPLICA_PORT=$GRAPPE_PG_PORT
  export GRAPPE_PG_PORT=$saved_port GRAPPE_DATABASE_URL=$saved_url
}

# --- pgbouncer in transaction mode (scripts/test's pass through a pooler) ----------

# grappe_pgbouncer_start DIR PG_PORT: starts pgbouncer (as PostgreSQL's user: it refuses
# to run as root) on a free port of 127.0.0.1, in transaction mode, in front of the private
# PostgreSQL on PG_PORT; every database name goes through. Server connections are fewer than
# clients (2 per database) so that clients' transactions really share them. Each new server
# connection gets the settings Grappe needs (docs/deploy.md): a statement timeout and UTC.
# Exports GRAPPE_PGBOUNCER_PORT.
grappe_pgbouncer_start() {
  local dir=${1:?grappe_pgbouncer_start DIR PG_PORT} pg_port=${2:?grappe_pgbouncer_start DIR PG_PORT}
  local user port i
  command -v pgbouncer >/dev/null 2>&1 || grappe_die "pgbouncer is not installed (apt-get install pgbouncer)"
  user=$(_grappe_pg_user) || exit 1
  mkdir -p "$dir"
  port=$(grappe_free_port 0)
  printf '"grappe" ""\n' >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$pg_port connect_query='SET statement_timeout = 5000; SET timezone = UTC; SET datestyle = ISO, YMD; SET synchronize_seqscans = off'

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 500
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  if [ "$(id -u)" -eq 0 ] && [ "$user" != root ]; then
    chown -R "$user:" "$dir"
  fi
  _grappe_pg_as "$user" pgbouncer -d "$dir/pgbouncer.ini" || grappe_die "pgbouncer did not start (log: $dir/pgbouncer.log)"
  for i in $(seq 1 50); do
    pg_isready -q -h 127.0.0.1 -p "$port" -U grappe -d grappe && break
    [ "$i" -eq 50 ] && grappe_die "pgbouncer on port $port does not answer (log: $dir/pgbouncer.log)"
    sleep 0.1
  done
  export GRAPPE_PGBOUNCER_PORT=$port
}

# grappe_pgbouncer_stop DIR: stops the pgbouncer that grappe_pgbouncer_start started in DIR.
grappe_pgbouncer_stop() {
  local pid
  pid=$(cat "${1:?grappe_pgbouncer_stop DIR}/pgbouncer.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
}
