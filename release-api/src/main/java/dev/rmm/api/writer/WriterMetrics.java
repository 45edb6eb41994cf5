package dev.rmm.api.writer;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What the writers measure, at {@code /q/metrics}: how many commands each Kafka transaction carries
 * and how long a transaction takes from its first send to its commit.
 */
final class WriterMetrics {

  private final DistributionSummary batchSize;
  private final Timer commit;

  WriterMetrics(MeterRegistry registry) {
    this.batchSize =
        DistributionSummary.builder("rmm.writer.batch.commands")
            .description("Commands decided and committed in one Kafka transaction")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    this.commit =
        Timer.builder("rmm.writer.transaction")
            .description("Time from the first send of a batch to its commit")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
  }

  void batch(int commands, long nanos) {
    batchSize.record(commands);
    commit.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }
}
