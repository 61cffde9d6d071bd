# The Faultline analyser, built from the distribution archive (mvn -B -DskipTests package):
#   docker build -f docker/analyser.Dockerfile -t faultline/analyser .
# With no registry, docker/images.sh builds it on a Java image of its own (--build-arg JRE_IMAGE=faultline/jre:17).
ARG JRE_IMAGE=eclipse-temurin:17-jre
FROM ${JRE_IMAGE}
ARG FAULTLINE_VERSION=0.1.0-SNAPSHOT
ADD distribution/target/faultline-${FAULTLINE_VERSION}.tar.gz /opt/
COPY docker/healthcheck /usr/local/bin/faultline-healthcheck
RUN ln -s /opt/faultline-${FAULTLINE_VERSION} /opt/faultline \
 && useradd --system --uid 10001 --home-dir /var/lib/faultline --create-home faultline
ENV FAULTLINE_CONFIG=/opt/faultline/config/faultline.yaml
USER 10001
VOLUME /var/lib/faultline
EXPOSE 7070
HEALTHCHECK --interval=10s --start-period=60s CMD ["faultline-healthcheck", "7070", "/ready"]
ENTRYPOINT ["/opt/faultline/bin/faultline", "analyse"]
