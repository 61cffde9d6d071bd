# Prometheus Alertmanager from Debian's package (0.25 in bookworm): the stand-in for prom/alertmanager where no
# registry is reachable. Same entrypoint contract: the command line is Alertmanager's flags.
ARG BASE_IMAGE=faultline/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends prometheus-alertmanager wget \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /alertmanager
EXPOSE 9093
ENTRYPOINT ["/usr/bin/prometheus-alertmanager", "--storage.path=/alertmanager"]
