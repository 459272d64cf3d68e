#!/usr/bin/env bash
# Install (only if missing) and start (only if not already answering) the services
# that the portal's tests use, then print `export` lines on stdout:
#
#   eval "$(bash .ci/services.sh)"                       # all: postgres elasticsearch chromium
#   eval "$(bash .ci/services.sh elasticsearch chromium)"
#   eval "$(bash .ci/services.sh postgres postgres-replica)"   # + a streaming replica on 5433
#   eval "$(bash .ci/services.sh elasticsearch-cluster)"   # two nodes, for make loadtest
#
# Everything except the export lines goes to stderr. Safe to run any number of times.
# Exit status is non-zero if any requested service failed (its name is printed).
#
# Knobs (environment):
#   PORTAL_SERVICES_DIR  cache/install dir outside the repo   (default /opt/portal-services)
#   ES_VERSION           Elasticsearch version from Maven Central (default pinned below)
#   ES_HEAP              heap size                             (default 512m)
#   ES_WAIT              seconds to wait for Elasticsearch      (default 120)
#   PG_REPLICA_PORT      port of the PostgreSQL read replica    (default 5433)
#   ESC_HTTP_PORTS, ESC_TRANSPORT_PORTS, ESC_HEAP  the two-node cluster ("9250 9251", "9350 9351", 384m)
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="${PORTAL_SERVICES_DIR:-/opt/portal-services}"
# Newest 8.x of org.elasticsearch.distribution.integ-test-zip:elasticsearch on Maven Central
# (maven-metadata.xml, 2026-11). Pinned so CI is reproducible; override with ES_VERSION.
ES_VERSION="${ES_VERSION:-8.19.21}"
ES_HEAP="${ES_HEAP:-512m}"
ES_WAIT="${ES_WAIT:-120}"
ES_USER="esuser"
PG_USER="portal"; PG_PASS="portal"; PG_DB="portal"

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && SUDO="sudo" || log "not root and no sudo: installs will fail"
fi

# run a command as another user (root: runuser; otherwise sudo -u)
as_user() {
    local user="$1"; shift
    if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else sudo -u "$user" -- "$@"; fi
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") >/dev/null 2>&1; }

APT_UPDATED=0
apt_install() {
    local apt=(env DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        "${apt[@]}" update -qq >&2 || return 1
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    "${apt[@]}" install -y -qq --no-install-recommends "$@" >&2
}

# ------------------------------------------------------------------ PostgreSQL
svc_postgres() {
    set -e
    local t0=$SECONDS
    if ! command -v pg_lsclusters >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        local pkgs=(postgresql)
        # Debian 12 still has postgresql-contrib as a (transitional) package; newer may not
        if apt-cache show postgresql-contrib >/dev/null 2>&1; then pkgs+=(postgresql-contrib); fi
        apt_install "${pkgs[@]}" || apt_install "${pkgs[@]}"  # second try after `apt-get update`
        log "postgres: installed in $((SECONDS - t0))s"
    fi
    local ver
    ver="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    [ -n "$ver" ] || die "postgres: no server version under /usr/lib/postgresql"
    [ -f "/usr/share/postgresql/$ver/extension/unaccent.control" ] || die "postgres: unaccent extension missing"
    [ -f "/usr/share/postgresql/$ver/extension/pg_trgm.control" ] || die "postgres: pg_trgm extension missing"

    if ! port_open 127.0.0.1 5432; then
        if ! pg_lsclusters -h 2>/dev/null | awk -v v="$ver" '$1==v && $2=="main"' | grep -q .; then
            log "postgres: creating cluster $ver/main"
            $SUDO pg_createcluster --port 5432 "$ver" main >&2
        fi
        local conf="/etc/postgresql/$ver/main/postgresql.conf"
        # listen on loopback only, port 5432
        if ! grep -q "^listen_addresses = '127.0.0.1'" "$conf"; then
            echo "listen_addresses = '127.0.0.1'" | $SUDO tee -a "$conf" >/dev/null
        fi
        if ! grep -q "^port = 5432" "$conf"; then
            $SUDO sed -i 's/^port = .*/port = 5432/' "$conf"
        fi
        # a stale pid file (after a machine restart) makes pg_ctlcluster refuse to start
        local pidf="/var/lib/postgresql/$ver/main/postmaster.pid"
        if [ -f "$pidf" ] && ! kill -0 "$(head -1 "$pidf")" 2>/dev/null; then
            log "postgres: removing stale $pidf"; $SUDO rm -f "$pidf"
        fi
        log "postgres: starting cluster $ver/main"
        $SUDO pg_ctlcluster "$ver" main start >&2 || {
            tail -n 30 "/var/log/postgresql/postgresql-$ver-main.log" >&2 || true
            die "postgres: pg_ctlcluster $ver main start failed"
        }
        local i
        for i in $(seq 1 30); do port_open 127.0.0.1 5432 && break; sleep 1; done
        port_open 127.0.0.1 5432 || die "postgres: not answering on 127.0.0.1:5432"
        log "postgres: started in $((SECONDS - t0))s"
    else
        log "postgres: already answering on 127.0.0.1:5432"
    fi

    local psql=(as_user postgres psql -X -q -v ON_ERROR_STOP=1 -d postgres)
    # local socket of the cluster on port 5432
    if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname='$PG_USER'")" != "1" ]; then
        log "postgres: creating role $PG_USER"
        "${psql[@]}" -c "CREATE ROLE $PG_USER LOGIN SUPERUSER CREATEDB PASSWORD '$PG_PASS'" >&2
    else
        "${psql[@]}" -c "ALTER ROLE $PG_USER LOGIN SUPERUSER CREATEDB PASSWORD '$PG_PASS'" >&2
    fi
    if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname='$PG_DB'")" != "1" ]; then
        log "postgres: creating database $PG_DB"
        "${psql[@]}" -c "CREATE DATABASE $PG_DB OWNER $PG_USER" >&2
    fi
    # check over TCP with the password, and that the extensions can be created
    PGPASSWORD="$PG_PASS" PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432 -U "$PG_USER" -d "$PG_DB" -tA \
        -c "CREATE EXTENSION IF NOT EXISTS unaccent; CREATE EXTENSION IF NOT EXISTS pg_trgm;" \
        -c "SELECT 'postgres: ' || version() || ' / unaccent(''Peluquería'') = ' || unaccent('Peluquería')" >&2 \
        || die "postgres: cannot connect as $PG_USER over TCP or create extensions"
    echo "export DATABASE_URL=postgres://$PG_USER:$PG_PASS@127.0.0.1:5432/$PG_DB"
}

# ------------------------------------------------------------------ PostgreSQL read replica
# A streaming replica of the 5432 cluster, made with Debian's tools: a cluster `replica` on
# PG_REPLICA_PORT (default 5433) whose data directory is a pg_basebackup -R of the primary, which
# only ever gets a `reload` here (a new pg_hba line), never a restart: others may be using it.
# Prints DATABASE_REPLICA_URL (the same database name as DATABASE_URL, read-only).
PG_REPLICA_PORT="${PG_REPLICA_PORT:-5433}"
PG_REPLICA_CLUSTER="${PG_REPLICA_CLUSTER:-replica}"
PG_REPL_USER="portal_replication"; PG_REPL_PASS="portal_replication"

replica_streaming() {  # the replica answers, is in recovery and receives WAL from the primary
    local r
    r="$(PGPASSWORD="$PG_PASS" psql -X -h 127.0.0.1 -p "$PG_REPLICA_PORT" -U "$PG_USER" -d postgres -tAc \
        "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')" 2>/dev/null)"
    [ "$r" = "t" ]
}

svc_postgres_replica() {
    set -e
    local t0=$SECONDS
    port_open 127.0.0.1 5432 || die "postgres-replica: no primary on 127.0.0.1:5432 (run: .ci/services.sh postgres)"
    local ver psql=(as_user postgres psql -X -q -v ON_ERROR_STOP=1 -p 5432 -d postgres)
    ver="$("${psql[@]}" -tAc "SELECT current_setting('server_version_num')::int / 10000")"
    [ -x "/usr/lib/postgresql/$ver/bin/pg_basebackup" ] || die "postgres-replica: no pg_basebackup for $ver"
    local data="/var/lib/postgresql/$ver/$PG_REPLICA_CLUSTER"
    local primary_cluster
    primary_cluster="$(pg_lsclusters -h | awk '$3 == 5432 {print $2; exit}')"

    # 1. the replication role, and a pg_hba line for it on the primary (then a reload)
    if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname='$PG_REPL_USER'")" != "1" ]; then
        log "postgres-replica: creating role $PG_REPL_USER"
        "${psql[@]}" -c "CREATE ROLE $PG_REPL_USER LOGIN REPLICATION PASSWORD '$PG_REPL_PASS'" >&2
    fi
    local hba
    hba="$("${psql[@]}" -tAc "SELECT current_setting('hba_file')")"
    if [ "$("${psql[@]}" -tAc "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)
            AND type = 'host' AND address = '127.0.0.1' AND ('all' = ANY(user_name) OR '$PG_REPL_USER' = ANY(user_name))")" = "0" ]; then
        log "postgres-replica: allowing replication connections from 127.0.0.1 ($hba), reload"
        echo "host replication $PG_REPL_USER 127.0.0.1/32 scram-sha-256" | $SUDO tee -a "$hba" >/dev/null
        $SUDO pg_ctlcluster "$ver" "$primary_cluster" reload >&2
    fi
    "${psql[@]}" -tAc "SHOW wal_level" | grep -Eq '^(replica|logical)$' \
        || die "postgres-replica: the primary's wal_level is minimal (needs replica and a restart)"

    # 2. already streaming: nothing to do
    if replica_streaming; then
        log "postgres-replica: already streaming on 127.0.0.1:$PG_REPLICA_PORT"
    else
        if port_open 127.0.0.1 "$PG_REPLICA_PORT" && \
            ! pg_lsclusters -h | awk -v c="$PG_REPLICA_CLUSTER" -v p="$PG_REPLICA_PORT" '$2 == c && $3 == p' | grep -q .; then
            die "postgres-replica: port $PG_REPLICA_PORT is taken by something else (set PG_REPLICA_PORT)"
        fi
        # a cluster that exists but does not stream (stopped, or too far behind): start it, and
        # if it still does not stream, make it again from a fresh base backup
        if pg_lsclusters -h | awk -v v="$ver" -v c="$PG_REPLICA_CLUSTER" '$1 == v && $2 == c' | grep -q . \
            && [ -f "$data/standby.signal" ]; then
            $SUDO pg_ctlcluster "$ver" "$PG_REPLICA_CLUSTER" start >&2 2>/dev/null || true
            local i; for i in $(seq 1 20); do replica_streaming && break; sleep 1; done
        fi
        if ! replica_streaming; then
            if pg_lsclusters -h | awk -v v="$ver" -v c="$PG_REPLICA_CLUSTER" '$1 == v && $2 == c' | grep -q .; then
                log "postgres-replica: dropping cluster $ver/$PG_REPLICA_CLUSTER to make it again"
                $SUDO pg_dropcluster --stop "$ver" "$PG_REPLICA_CLUSTER" >&2
            fi
            log "postgres-replica: creating cluster $ver/$PG_REPLICA_CLUSTER on port $PG_REPLICA_PORT"
            $SUDO pg_createcluster --port "$PG_REPLICA_PORT" "$ver" "$PG_REPLICA_CLUSTER" >&2
            # a hot standby needs at least the primary's values of these
            local setting value
            for setting in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
                           max_locks_per_transaction; do
                value="$("${psql[@]}" -tAc "SHOW $setting")"
                $SUDO pg_conftool "$ver" "$PG_REPLICA_CLUSTER" set "$setting" "$value" >&2
            done
            # the primary's data replaces the new cluster's (its configuration stays in /etc)
            $SUDO rm -rf "$data"
            log "postgres-replica: pg_basebackup of 127.0.0.1:5432 into $data"
            as_user postgres env PGPASSWORD="$PG_REPL_PASS" "/usr/lib/postgresql/$ver/bin/pg_basebackup" \
                -h 127.0.0.1 -p 5432 -U "$PG_REPL_USER" -D "$data" -R -X stream -c fast >&2 \
                || die "postgres-replica: pg_basebackup failed"
            $SUDO pg_ctlcluster "$ver" "$PG_REPLICA_CLUSTER" start >&2 || {
                tail -n 30 "/var/log/postgresql/postgresql-$ver-$PG_REPLICA_CLUSTER.log" >&2 || true
                die "postgres-replica: pg_ctlcluster $ver $PG_REPLICA_CLUSTER start failed"
            }
            local i; for i in $(seq 1 60); do replica_streaming && break; sleep 1; done
        fi
        replica_streaming || {
            tail -n 30 "/var/log/postgresql/postgresql-$ver-$PG_REPLICA_CLUSTER.log" >&2 || true
            die "postgres-replica: not streaming on 127.0.0.1:$PG_REPLICA_PORT"
        }
        log "postgres-replica: streaming in $((SECONDS - t0))s"
    fi
    log "postgres-replica: $("${psql[@]}" -tAc "SELECT application_name || ' ' || state || ', replay lag ' ||
        coalesce(replay_lag::text, '0') FROM pg_stat_replication WHERE client_port IS NOT NULL LIMIT 1")"
    echo "export DATABASE_REPLICA_URL=postgres://$PG_USER:$PG_PASS@127.0.0.1:$PG_REPLICA_PORT/$PG_DB"
}

# ------------------------------------------------------------------ PostgreSQL, a cluster to restart
# benchmarks/faults_postgres.py restarts PostgreSQL under load: it gets a cluster of its own
# (PG_FAULTS_CLUSTER on PG_FAULTS_PORT, default "faults" on 5440), never the shared 5432 one.
svc_postgres_faults() {
    set -e
    local name="${PG_FAULTS_CLUSTER:-faults}" port="${PG_FAULTS_PORT:-5440}" ver
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        apt_install postgresql || apt_install postgresql
    fi
    ver="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    if ! pg_lsclusters -h 2>/dev/null | awk -v v="$ver" -v n="$name" '$1==v && $2==n' | grep -q .; then
        log "postgres-faults: creating cluster $ver/$name on port $port"
        $SUDO pg_createcluster --port "$port" "$ver" "$name" -- --auth-local=peer --auth-host=scram-sha-256 >&2
        echo "listen_addresses = '127.0.0.1'" | $SUDO tee -a "/etc/postgresql/$ver/$name/postgresql.conf" >/dev/null
    fi
    if ! port_open 127.0.0.1 "$port"; then
        log "postgres-faults: starting cluster $ver/$name"
        $SUDO pg_ctlcluster "$ver" "$name" start >&2
    fi
    as_user postgres psql -X -q -p "$port" -d postgres -v ON_ERROR_STOP=1 \
        -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER') THEN CREATE ROLE $PG_USER LOGIN SUPERUSER PASSWORD '$PG_PASS'; END IF; END \$\$" >&2
    log "postgres-faults: cluster $ver/$name answering on 127.0.0.1:$port"
    echo "export PG_FAULTS_CLUSTER=$ver/$name"
    echo "export PG_FAULTS_URL=postgres://$PG_USER:$PG_PASS@127.0.0.1:$port/portal_faults"
}

# ------------------------------------------------------------------ Elasticsearch
es_answering() {
    local r
    r="$(curl -fsS -m 5 http://127.0.0.1:9200/_cluster/health 2>/dev/null)" || return 1
    [[ "$r" == *'"cluster_name"'* ]]
}

find_java_home() {
    local c
    for c in "${ES_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-arm64 \
             "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
        if [ -n "$c" ] && [ -x "$c/bin/java" ]; then
            local major
            major="$("$c/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
            if [ -n "$major" ] && [ "${major%%.*}" -ge 17 ] 2>/dev/null; then echo "$c"; return 0; fi
        fi
    done
    return 1
}

# Download, unpack and build the analysis plugin (steps 1-3), shared by the single node and the
# cluster; sets ES_PLUGIN_REBUILT=1 when the plugin was (re)built.
es_install() {
    local t0=$SECONDS
    local home="$BASE/elasticsearch-$ES_VERSION"
    local zip="$BASE/dist/elasticsearch-$ES_VERSION.zip"
    local jhome
    jhome="$(find_java_home)" || die "elasticsearch: no Java 17+ found (set ES_JAVA_HOME)"
    command -v curl >/dev/null || apt_install curl
    command -v unzip >/dev/null || apt_install unzip

    # 1. download the integ-test distribution from Maven Central (cached)
    if [ ! -f "$zip" ]; then
        command -v mvn >/dev/null || die "elasticsearch: mvn not found"
        $SUDO mkdir -p "$BASE/dist"
        log "elasticsearch: fetching org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
        (cd /tmp && $SUDO mvn -q -B dependency:copy \
            "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
            "-DoutputDirectory=$BASE/dist" >&2) || die "elasticsearch: Maven download of $ES_VERSION failed"
        log "elasticsearch: downloaded in $((SECONDS - t0))s"
    fi

    # 2. unpack
    if ! id "$ES_USER" >/dev/null 2>&1; then
        log "elasticsearch: creating system user $ES_USER"
        $SUDO useradd --system --no-create-home --home-dir "$BASE/es-run" --shell /usr/sbin/nologin "$ES_USER"
    fi
    if [ ! -x "$home/bin/elasticsearch" ]; then
        log "elasticsearch: unpacking into $home"
        local tmp="$BASE/.unpack.$$"
        $SUDO rm -rf "$tmp"; $SUDO mkdir -p "$tmp"
        $SUDO unzip -q "$zip" -d "$tmp"
        $SUDO rm -rf "$home"; $SUDO mv "$tmp/elasticsearch-$ES_VERSION" "$home"; $SUDO rm -rf "$tmp"
    fi
    $SUDO mkdir -p "$BASE/es-run"

    # 3. the integ-test zip has no analysis-common module: build our stand-in plugin
    #    (.ci/es-analysis) with javac against the distribution's own jars.
    local plugdir="$home/plugins/portal-analysis" src="$REPO_ROOT/.ci/es-analysis"
    local srchash rebuilt=0
    srchash="$( (cd "$src" && find . -type f | LC_ALL=C sort | xargs cat; echo "$ES_VERSION") | sha256sum | cut -c1-16)"
    if [ "$(cat "$plugdir/.srchash" 2>/dev/null)" != "$srchash" ]; then
        log "elasticsearch: building analysis plugin (.ci/es-analysis)"
        [ -x "$jhome/bin/javac" ] || die "elasticsearch: javac not found in $jhome (need a JDK 17+)"
        local build
        build="$(mktemp -d)"
        "$jhome/bin/javac" -nowarn --release 17 -encoding UTF-8 -cp "$home/lib/*" -d "$build/classes" \
            $(find "$src/src" -name '*.java') 2>&1 | grep -v '^Note:' >&2 || true
        [ -f "$build/classes/portal/analysis/PortalAnalysisPlugin.class" ] || die "elasticsearch: plugin compile failed"
        "$jhome/bin/jar" --create --file "$build/portal-analysis.jar" -C "$build/classes" .
        $SUDO rm -rf "$plugdir"; $SUDO mkdir -p "$plugdir"
        $SUDO cp "$build/portal-analysis.jar" "$plugdir/"
        sed "s/@ES_VERSION@/$ES_VERSION/g" "$src/plugin-descriptor.properties.in" | $SUDO tee "$plugdir/plugin-descriptor.properties" >/dev/null
        echo "$srchash" | $SUDO tee "$plugdir/.srchash" >/dev/null
        rm -rf "$build"
        rebuilt=1
    fi
    ES_PLUGIN_REBUILT=$rebuilt
}

svc_elasticsearch() {
    set -e
    local t0=$SECONDS
    local home="$BASE/elasticsearch-$ES_VERSION"
    local data="$BASE/es-data" logs="$BASE/es-logs" pidf="$BASE/es-run/elasticsearch.pid"
    local jhome rebuilt
    jhome="$(find_java_home)" || die "elasticsearch: no Java 17+ found (set ES_JAVA_HOME)"
    es_install
    rebuilt=$ES_PLUGIN_REBUILT
    $SUDO mkdir -p "$data" "$logs" "$BASE/es-run"

    # 4. configuration (rewritten every time; cheap)
    $SUDO tee "$home/config/elasticsearch.yml" >/dev/null <<EOF
# written by .ci/services.sh
cluster.name: portal-dev
node.name: portal-dev-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: 9200
path.data: $data
path.logs: $logs
xpack.security.enabled: false
xpack.ml.enabled: false
action.destructive_requires_name: false
# tests create small throw-away indices: keep disk watermarks from blocking them
cluster.routing.allocation.disk.threshold_enabled: false
EOF
    $SUDO chown -R "$ES_USER:" "$home" "$data" "$logs" "$BASE/es-run"

    # 5. start (unless already answering; restart if the plugin changed under a running node)
    if es_answering && [ "$rebuilt" -eq 1 ] && [ -f "$pidf" ]; then
        log "elasticsearch: plugin changed, restarting node"
        local oldpid; oldpid="$(cat "$pidf")"
        $SUDO kill "$oldpid" 2>/dev/null || true
        local i; for i in $(seq 1 60); do kill -0 "$oldpid" 2>/dev/null || break; sleep 1; done
    fi
    if es_answering; then
        log "elasticsearch: already answering on 127.0.0.1:9200"
    else
        local t1=$SECONDS
        if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
            log "elasticsearch: process $(cat "$pidf") exists but is not answering yet; waiting"
        else
            $SUDO rm -f "$pidf"
            log "elasticsearch: starting $ES_VERSION as $ES_USER (java: $jhome)"
            # raise the open-files limit when allowed (a bootstrap check only warns on loopback)
            ( ulimit -n 65535 2>/dev/null || true
              cd "$home" && as_user "$ES_USER" env ES_JAVA_HOME="$jhome" ES_PATH_CONF="$home/config" \
                ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" \
                ./bin/elasticsearch -d -p "$pidf" >"$BASE/es-run/start.out" 2>&1 ) || {
                tail -n 40 "$BASE/es-run/start.out" >&2 || true
                tail -n 40 "$logs/portal-dev.log" >&2 2>/dev/null || true
                die "elasticsearch: bin/elasticsearch -d failed"
            }
        fi
        local deadline=$((SECONDS + ES_WAIT))
        until curl -fsS -m 5 "http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null 2>&1; do
            if [ $SECONDS -ge $deadline ]; then
                log "elasticsearch: no answer after ${ES_WAIT}s; log tail:"
                tail -n 60 "$logs/portal-dev.log" >&2 2>/dev/null || tail -n 60 "$BASE/es-run/start.out" >&2 || true
                die "elasticsearch: did not start"
            fi
            sleep 2
        done
        log "elasticsearch: started in $((SECONDS - t1))s"
    fi
    log "elasticsearch: $(curl -fsS -m 10 'http://127.0.0.1:9200/_cluster/health' )"

    # 6. check the root endpoint (client info()/ping()) and the analysis components
    local out
    out="$(curl -fsS -m 10 http://127.0.0.1:9200/)" || die "elasticsearch: GET / failed (portal-analysis plugin not loaded?)"
    log "elasticsearch: GET / -> $(echo "$out" | tr -d '\n ')"
    out="$(curl -sS -m 20 -H 'Content-Type: application/json' http://127.0.0.1:9200/_analyze \
        -d '{"tokenizer":"standard","filter":["lowercase","asciifolding"],"text":"Peluquería"}')"
    log "elasticsearch: _analyze lowercase+asciifolding 'Peluquería' -> $out"
    echo "$out" | grep -q '"token":"peluqueria"' || die "elasticsearch: asciifolding analysis not available"
    out="$(curl -sS -m 20 -H 'Content-Type: application/json' http://127.0.0.1:9200/_analyze -d '{
        "tokenizer":"standard",
        "filter":["lowercase","asciifolding",
                  {"type":"synonym","synonyms":["peluqueria, barberia"]},
                  {"type":"edge_ngram","min_gram":2,"max_gram":4}],
        "text":"Peluquería"}')"
    log "elasticsearch: _analyze synonym+edge_ngram -> $out"
    echo "$out" | grep -q '"token":"barb"' || die "elasticsearch: synonym/edge_ngram analysis not available"
    out="$(curl -sS -m 20 -H 'Content-Type: application/json' http://127.0.0.1:9200/_analyze \
        -d '{"analyzer":"spanish","text":"Las peluquerías"}')"
    log "elasticsearch: _analyze spanish 'Las peluquerías' -> $out"
    echo "$out" | grep -q '"token":"peluqu' || die "elasticsearch: spanish analyzer not available"
    log "elasticsearch: ready in $((SECONDS - t0))s"
    echo "export ELASTICSEARCH_URL=http://127.0.0.1:9200"
}

# ------------------------------------------------------------------ Elasticsearch cluster
# Two nodes of one cluster on their own ports and folders, beside the single node (which the
# test suite uses and this never touches): the directory's index has a copy on each node
# (ELASTICSEARCH_REPLICAS=1), so either node answers every search alone. `make loadtest` kills
# them (benchmarks/faults_elasticsearch.py) and starts them again with this same service.
# Knobs: ESC_HTTP_PORTS ("9250 9251"), ESC_TRANSPORT_PORTS ("9350 9351"), ESC_HEAP (384m).
esc_answering() {
    local r
    r="$(curl -fsS -m 5 "http://127.0.0.1:$1/" 2>/dev/null)" || return 1
    [[ "$r" == *'"cluster_name" : "portal-cluster"'* ]]
}

svc_elasticsearch_cluster() {
    set -e
    local t0=$SECONDS
    local home="$BASE/elasticsearch-$ES_VERSION"
    local http_ports=(${ESC_HTTP_PORTS:-9250 9251}) transport_ports=(${ESC_TRANSPORT_PORTS:-9350 9351})
    local heap="${ESC_HEAP:-384m}"
    local jhome
    jhome="$(find_java_home)" || die "elasticsearch-cluster: no Java 17+ found (set ES_JAVA_HOME)"
    [ ${#http_ports[@]} -eq 2 ] && [ ${#transport_ports[@]} -eq 2 ] || die "elasticsearch-cluster: two ports each"
    es_install

    local seeds="" names="" urls="" n
    for n in 0 1; do
        seeds+="${seeds:+, }\"127.0.0.1:${transport_ports[$n]}\""
        names+="${names:+, }\"portal-cluster-$((n + 1))\""
        urls+="${urls:+,}http://127.0.0.1:${http_ports[$n]}"
    done
    local pids=()
    for n in 0 1; do
        local name="portal-cluster-$((n + 1))" dir="$BASE/es-cluster-$((n + 1))"
        local pidf="$dir/run/elasticsearch.pid"
        if esc_answering "${http_ports[$n]}"; then
            log "elasticsearch-cluster: $name already answering on 127.0.0.1:${http_ports[$n]}"
            continue
        fi
        if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
            log "elasticsearch-cluster: $name (process $(cat "$pidf")) is starting; waiting"
            continue
        fi
        $SUDO mkdir -p "$dir/data" "$dir/logs" "$dir/run"
        # each node has its own configuration folder (the distribution's, with its own yml)
        [ -f "$dir/config/jvm.options" ] || $SUDO cp -r "$home/config" "$dir/config"
        $SUDO tee "$dir/config/elasticsearch.yml" >/dev/null <<EOF
# written by .ci/services.sh (elasticsearch-cluster)
cluster.name: portal-cluster
node.name: $name
network.host: 127.0.0.1
http.port: ${http_ports[$n]}
transport.port: ${transport_ports[$n]}
discovery.seed_hosts: [$seeds]
# read only when the cluster forms for the first time
cluster.initial_master_nodes: [$names]
path.data: $dir/data
path.logs: $dir/logs
xpack.security.enabled: false
xpack.ml.enabled: false
action.destructive_requires_name: false
cluster.routing.allocation.disk.threshold_enabled: false
EOF
        $SUDO chown -R "$ES_USER:" "$dir"
        $SUDO rm -f "$pidf"
        log "elasticsearch-cluster: starting $name on 127.0.0.1:${http_ports[$n]} (heap $heap)"
        ( ulimit -n 65535 2>/dev/null || true
          cd "$home" && as_user "$ES_USER" env ES_JAVA_HOME="$jhome" ES_PATH_CONF="$dir/config" \
            ES_JAVA_OPTS="-Xms$heap -Xmx$heap" \
            ./bin/elasticsearch -d -p "$pidf" >"$dir/run/start.out" 2>&1 ) &
        pids+=($!)
    done
    local pid
    for pid in "${pids[@]}"; do wait "$pid" || die "elasticsearch-cluster: bin/elasticsearch -d failed"; done
    local deadline=$((SECONDS + ES_WAIT))
    until curl -fsS -m 5 "http://127.0.0.1:${http_ports[0]}/_cluster/health?wait_for_nodes=2&wait_for_status=yellow&timeout=5s" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            for n in 1 2; do tail -n 40 "$BASE/es-cluster-$n/logs/portal-cluster.log" >&2 2>/dev/null || true; done
            die "elasticsearch-cluster: two nodes did not form a cluster in ${ES_WAIT}s"
        fi
        sleep 2
    done
    log "elasticsearch-cluster: $(curl -fsS -m 10 "http://127.0.0.1:${http_ports[0]}/_cluster/health")"
    log "elasticsearch-cluster: ready in $((SECONDS - t0))s"
    echo "export ELASTICSEARCH_URL=$urls"
    echo "export ELASTICSEARCH_REPLICAS=1"
}

# ------------------------------------------------------------------ Chromium + axe-core
svc_chromium() {
    set -e
    local t0=$SECONDS
    if [ ! -x /usr/bin/chromium ]; then
        apt_install chromium || apt_install chromium
        log "chromium: installed in $((SECONDS - t0))s"
    fi
    log "chromium: $(/usr/bin/chromium --version 2>/dev/null)"
    # headless smoke test (flags: this machine has no network beyond the registries)
    local prof dom
    prof="$(mktemp -d)"
    dom="$(timeout 60 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$prof" \
        --dump-dom 'data:text/html,<p id=x>ok-chromium</p>' 2>/dev/null)" || true
    rm -rf "$prof"
    echo "$dom" | grep -q 'ok-chromium' || die "chromium: headless smoke test failed"

    command -v npm >/dev/null || die "chromium: npm not found (needed for axe-core)"
    local stamp="$REPO_ROOT/node_modules/.package-lock.json"
    if [ ! -f "$REPO_ROOT/node_modules/axe-core/axe.min.js" ] || [ ! -x "$REPO_ROOT/node_modules/.bin/lighthouse" ] \
        || [ "$REPO_ROOT/package-lock.json" -nt "$stamp" ]; then
        log "chromium: npm ci (axe-core; lighthouse and vnu-jar for make audit)"
        (cd "$REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "chromium: npm ci failed"
    fi
    log "chromium: axe-core $(node -p "require('$REPO_ROOT/node_modules/axe-core/package.json').version")"
    log "chromium: ready in $((SECONDS - t0))s"
    echo "export CHROMIUM_PATH=/usr/bin/chromium"
    echo "export AXE_CORE_PATH=$REPO_ROOT/node_modules/axe-core/axe.min.js"
}

# ------------------------------------------------------------------ GNU gettext
# xgettext for tests/cms/test_page_languages.py, which reads the sources as `make messages` does.
svc_gettext() {
    set -e
    command -v xgettext >/dev/null || apt_install gettext || apt_install gettext
    log "gettext: $(xgettext --version | head -1)"
}

# ------------------------------------------------------------------ main
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(postgres elasticsearch chromium)
failed=()
exports=()
for s in "${services[@]}"; do
    case "$s" in
        postgres|postgresql) fn=svc_postgres ;;
        postgres-replica) fn=svc_postgres_replica ;;
        postgres-faults) fn=svc_postgres_faults ;;
        elasticsearch|es) fn=svc_elasticsearch ;;
        elasticsearch-cluster) fn=svc_elasticsearch_cluster ;;
        chromium|chrome) fn=svc_chromium ;;
        gettext) fn=svc_gettext ;;
        *) log "unknown service '$s' (known: postgres postgres-replica postgres-faults elasticsearch elasticsearch-cluster chromium gettext)"; failed+=("$s"); continue ;;
    esac
    # each service in a subshell with -e, so one failure doesn't stop the others
    # (not inside `if`: bash would ignore `set -e` in the subshell there)
    out="$( ($fn) )"; rc=$?
    if [ "$rc" -eq 0 ]; then
        exports+=("$out")
    else
        log "FAILED: $s"
        failed+=("$s")
    fi
done
for e in "${exports[@]}"; do printf '%s\n' "$e"; done
if [ ${#failed[@]} -gt 0 ]; then
    log "FAILED services: ${failed[*]}"
    exit 1
fi
log "all ok: ${services[*]}"
