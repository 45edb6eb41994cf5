package dev.rmm.api.writer;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * What the writers measure, at {@code /q/metrics}: how many requests one turn of a writer decides,
 * and how long a request's events take from their send to being known valid in the log.
 */
final class WriterMetrics {

  private final DistributionSummary batchSize;
  private final Timer append;

  WriterMetrics(MeterRegistry registry) {
    this.batchSize =
        DistributionSummary.builder("rmm.writer.batch.commands")
            .description("Requests decided and sent in one turn of a partition writer")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    this.append =
        Timer.builder("rmm.writer.append")
            .description("Time from sending a request's events to knowing them valid in the log")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
  }

  void decided(int requests) {
    batchSize.record(requests);
  }

  void appended(long nanos) {
    append.record(nanos, TimeUnit.NANOSECONDS);
  }
}
