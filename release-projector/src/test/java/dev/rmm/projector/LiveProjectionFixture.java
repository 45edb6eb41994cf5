package dev.rmm.projector;

import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every test of the running projection starts from: the release log's topic (3 partitions), a
 * producer of events ({@link EventLog}), the live projection started, and the read model's checks
 * ({@link ReadModelChecks}). A subclass names its test resources (a restartable PostgreSQL, say).
 */
abstract class LiveProjectionFixture {

  @Inject LiveProjector live;
  @Inject Pool pg;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  EventLog log;
  ReadModelChecks checks;

  @BeforeEach
  void startTheLiveProjection() throws Exception {
    EventLog.createTopic(bootstrap, 3);
    log = new EventLog(bootstrap);
    checks = new ReadModelChecks(pg, bootstrap);
    live.start();
  }

  @AfterEach
  void closeTheLog() {
    log.close();
  }
}
