# The Faultline collector, built from the distribution archive (mvn -B -DskipTests package):
#   docker build -f docker/collector.Dockerfile -t faultline-collector .
# It must run privileged in the host's PID namespace with tracefs mounted (see docker-compose.yml).
FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends bpftrace && rm -rf /var/lib/apt/lists/*
ADD distribution/target/faultline-0.1.0-SNAPSHOT.tar.gz /opt/
RUN ln -s /opt/faultline-0.1.0-SNAPSHOT /opt/faultline
ENV FAULTLINE_CONFIG=/opt/faultline/config/faultline.yaml
VOLUME /var/lib/faultline
EXPOSE 9464
ENTRYPOINT ["/opt/faultline/bin/faultline", "collect"]
