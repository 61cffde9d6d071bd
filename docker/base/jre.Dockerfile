# A Java 17 runtime from Debian's packages on the locally made base image (docker/images.sh): the stand-in for
# eclipse-temurin:17-jre where no registry is reachable.
ARG BASE_IMAGE=faultline/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless ca-certificates \
 && rm -rf /var/lib/apt/lists/*
