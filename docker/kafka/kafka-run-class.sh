#!/usr/bin/env bash
# Runs one Kafka class on the jars from Maven Central (docker/kafka/pom.xml); the command names beside it are
# apache/kafka's, so health checks and topic set-up read the same in either image. The broker logs at INFO
# (Testcontainers waits for its "RECOVERY to RUNNING" line), the tools only their warnings.
set -euo pipefail
class="$1"; shift
if [[ "$class" == kafka.Kafka ]]; then
  log=/opt/kafka/config/logback-broker.xml heap="${KAFKA_HEAP_OPTS:--Xmx512m}"
else
  log=/opt/kafka/config/logback-tools.xml heap="-Xmx256m"
fi
# shellcheck disable=SC2086 # the options are split into words on purpose
exec java $heap ${KAFKA_OPTS:-} -Dlogback.configurationFile="$log" -cp '/opt/kafka/libs/*' "$class" "$@"
