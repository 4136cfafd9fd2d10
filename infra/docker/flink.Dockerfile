# syntax=docker/dockerfile:1.7
# Flink 2.0.2 for orderflow: the official image plus the Kafka connector jars, the
# Prometheus reporter enabled as a plugin, a checkpoint directory owned by `flink`, and the
# stream job (apps/stream-job: job.sql + the SqlRunner submit runner, the same ones the
# native stack submits via scripts/components/flink.sh).
#   docker build -f infra/docker/flink.Dockerfile .
# The same image runs flink-jobmanager, flink-taskmanager and flink-job (one-shot submit).
ARG FLINK_IMAGE=flink:2.0.2-scala_2.12-java17
ARG JDK_IMAGE=eclipse-temurin:17.0.16_8-jdk-jammy

FROM ${FLINK_IMAGE} AS flink-with-connector
ARG FLINK_CONNECTOR_KAFKA_VERSION=4.0.1-2.0
ARG KAFKA_CLIENTS_VERSION=3.9.1
ARG MAVEN_CENTRAL=https://repo1.maven.org/maven2
# curl + jq for healthchecks and the submit script.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl jq ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# The Kafka SQL connector is not part of the Flink distribution: fetch the pinned jars and
# check them against Maven Central's published SHA-1 sums.
RUN set -eu; cd /opt/flink/lib; \
    fetch() { \
      curl -fsSLO "$1"; \
      echo "$(curl -fsSL "$1.sha1" | cut -c1-40)  $(basename "$1")" | sha1sum -c -; \
    }; \
    fetch "$MAVEN_CENTRAL/org/apache/flink/flink-connector-kafka/$FLINK_CONNECTOR_KAFKA_VERSION/flink-connector-kafka-$FLINK_CONNECTOR_KAFKA_VERSION.jar"; \
    fetch "$MAVEN_CENTRAL/org/apache/kafka/kafka-clients/$KAFKA_CLIENTS_VERSION/kafka-clients-$KAFKA_CLIENTS_VERSION.jar"; \
    chown flink:flink ./*.jar
# The Prometheus reporter ships with the distribution; Flink loads reporters as plugins
# (own class loader). Use plugins/metrics-prometheus when the image has it, else copy the
# jar from opt/. Fails the build when neither exists.
RUN set -eu; \
    if ! ls /opt/flink/plugins/metrics-prometheus/flink-metrics-prometheus-*.jar >/dev/null 2>&1; then \
      mkdir -p /opt/flink/plugins/metrics-prometheus; \
      cp /opt/flink/opt/flink-metrics-prometheus-*.jar /opt/flink/plugins/metrics-prometheus/; \
    fi; \
    ls -l /opt/flink/plugins/metrics-prometheus/
# Checkpoints and savepoints live on a named volume mounted here; a new named volume takes
# over the ownership of the image's directory, so `flink` can write to it.
RUN mkdir -p /flink-data/checkpoints /flink-data/savepoints && chown -R flink:flink /flink-data

# The submit runner, compiled against this very Flink's jars (the runtime image has no javac).
FROM ${JDK_IMAGE} AS runner-build
COPY --from=flink-with-connector /opt/flink/lib /flink-lib
COPY apps/stream-job/runner/SqlRunner.java /build/SqlRunner.java
RUN mkdir -p /build/classes \
 && javac --release 11 -nowarn -cp "/flink-lib/*" -d /build/classes /build/SqlRunner.java \
 && jar --create --file /build/runner.jar --main-class SqlRunner -C /build/classes .

FROM flink-with-connector AS runtime
COPY --from=runner-build /build/runner.jar /opt/orderflow/runner.jar
COPY apps/stream-job/job.sql /opt/orderflow/job.sql
COPY --chmod=0755 infra/flink/submit-job.sh /opt/orderflow/submit-job.sh
