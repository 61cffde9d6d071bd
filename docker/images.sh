#!/usr/bin/env bash
# Builds Faultline's images on a machine that reaches no image registry, from Debian's packages and Maven
# Central alone (CI runs it; air-gapped sites can too, with a Debian mirror and a Maven repository they reach):
#   faultline/debian:bookworm    debootstrap --variant=minbase, apt set up as on this host
#   faultline/jre:17             openjdk-17-jre-headless            (stands in for eclipse-temurin:17-jre)
#   faultline/kafka:KAFKA        the broker of the project's Kafka version, apache/kafka's contract
#   faultline/alertmanager:0.25  Debian's prometheus-alertmanager   (stands in for prom/alertmanager)
#   faultline/collector:VERSION   from the collector archive (distribution/collector/target)
#   faultline/analyser:VERSION    from the full archive (distribution/target)
# The base images are made once and kept (--rebuild makes them again); the Faultline images are rebuilt every
# run. Where a registry is reachable, skip this: the Dockerfiles default to the official base images.
# Usage: docker/images.sh [--rebuild] [--base-only]      (needs root for debootstrap, and a running dockerd)
set -euo pipefail
cd "$(dirname "$0")/.."
docker=${DOCKER:-/usr/bin/docker}   # Debian's client: a newer one earlier on PATH may not speak to its engine
rebuild=false base_only=false
for a in "$@"; do
  case "$a" in
    --rebuild) rebuild=true ;;
    --base-only) base_only=true ;;
    *) echo "images.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
version=$(grep -m1 -o '<version>[^<]*</version>' pom.xml | sed 's/<[^>]*>//g')   # the project's, first in pom.xml
kafka_version=$(sed -n 's:.*<kafka.version>\([^<]*\)</kafka.version>.*:\1:p' pom.xml)
started=$SECONDS

step() { printf '[images %3ss] %s\n' $((SECONDS - started)) "$*"; }
have() { ! $rebuild && "$docker" image inspect "$1" >/dev/null 2>&1; }

base_image() {
  local name=faultline/debian:bookworm
  if have "$name"; then step "$name: kept"; return; fi
  local mirror rootfs
  mirror=${DEBIAN_MIRROR:-$(awk '/^URIs:/ && /debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)}
  mirror=${mirror:-http://deb.debian.org/debian}
  rootfs=$(mktemp -d)
  step "$name: debootstrap from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log" >&2; echo "images.sh: debootstrap failed (log $rootfs.log)" >&2; exit 1; }
  # apt in the image reaches what the host's apt reaches: its Debian sources, and its date checks (a snapshot
  # mirror's Release files are older than their Valid-Until)
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
    : >"$rootfs/etc/apt/sources.list"
  fi
  apt-config dump | grep -E '^Acquire::Check-(Valid-Until|Date) ' >"$rootfs/etc/apt/apt.conf.d/99faultline-host" || true
  printf 'APT::Install-Recommends "false";\n' >>"$rootfs/etc/apt/apt.conf.d/99faultline-host"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | "$docker" import - "$name" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
  step "$name: made"
}

built_image() {  # name dockerfile context [build args...]
  local name=$1 file=$2 context=$3; shift 3
  if have "$name"; then step "$name: kept"; return; fi
  step "$name: building"
  "$docker" build -q -t "$name" -f "$file" "$@" "$context" >/dev/null
}

base_image
built_image faultline/jre:17 docker/base/jre.Dockerfile docker/base
built_image faultline/alertmanager:0.25 docker/base/alertmanager.Dockerfile docker/base
if ! have "faultline/kafka:$kafka_version"; then
  step "faultline/kafka:$kafka_version: jars from Maven (Kafka $kafka_version)"
  rm -rf docker/kafka/target/libs
  mvn -B -q ${MAVEN_OFFLINE:+-o} -f docker/kafka/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory=target/libs
fi
built_image "faultline/kafka:$kafka_version" docker/kafka/Dockerfile docker/kafka --build-arg JRE_IMAGE=faultline/jre:17
$base_only && { step "base images ready"; exit 0; }

for archive in distribution/target/faultline-$version.tar.gz distribution/collector/target/faultline-collector-$version.tar.gz; do
  [[ -f "$archive" ]] || { echo "images.sh: $archive is missing: build it first (mvn -B -DskipTests package)" >&2; exit 1; }
done
rebuild=true   # the archive changes with every build
for role in collector analyser; do
  built_image "faultline/$role:$version" "docker/$role.Dockerfile" . \
    --build-arg JRE_IMAGE=faultline/jre:17 --build-arg FAULTLINE_VERSION="$version"
done
step "done"
