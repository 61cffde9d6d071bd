# The Faultline collector, built from the collector archive (collect and doctor only; mvn -B -DskipTests package):
#   docker build -f docker/collector.Dockerfile -t faultline/collector .
# With no registry, docker/images.sh builds it on a Java image of its own (--build-arg JRE_IMAGE=faultline/jre:17).
# It runs as root in the host's PID namespace with tracefs mounted (see docker-compose.yml).
ARG JRE_IMAGE=eclipse-temurin:17-jre
FROM ${JRE_IMAGE}
RUN apt-get update && apt-get install -y --no-install-recommends bpftrace && rm -rf /var/lib/apt/lists/*
ARG FAULTLINE_VERSION=0.1.0-SNAPSHOT
ADD distribution/collector/target/faultline-collector-${FAULTLINE_VERSION}.tar.gz /opt/
COPY docker/healthcheck /usr/local/bin/faultline-healthcheck
RUN ln -s /opt/faultline-collector-${FAULTLINE_VERSION} /opt/faultline
ENV FAULTLINE_CONFIG=/opt/faultline/config/faultline.yaml
VOLUME /var/lib/faultline
EXPOSE 9464
ENTRYPOINT ["/opt/faultline/bin/faultline", "collect"]
