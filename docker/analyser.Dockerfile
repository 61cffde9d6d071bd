# The Faultline analyser, built from the distribution archive (mvn -B -DskipTests package):
#   docker build -f docker/analyser.Dockerfile -t faultline-analyser .
FROM eclipse-temurin:17-jre
ADD distribution/target/faultline-0.1.0-SNAPSHOT.tar.gz /opt/
RUN ln -s /opt/faultline-0.1.0-SNAPSHOT /opt/faultline \
 && useradd --system --uid 10001 --home-dir /var/lib/faultline --create-home faultline
ENV FAULTLINE_CONFIG=/opt/faultline/config/faultline.yaml
USER 10001
VOLUME /var/lib/faultline
EXPOSE 7070
ENTRYPOINT ["/opt/faultline/bin/faultline", "analyse"]
