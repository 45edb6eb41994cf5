package dev.rmm.api.writer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * What the writers measure, at {@code /q/metrics}: how many requests one turn of a writer decides,
 * how long a request's events take from their send to being known valid in the log, and how many
 * requests were dropped undecided.
 */
final class WriterMetrics {

  private final DistributionSummary batchSize;
  private final Timer append;
  private final Counter overloaded;
  private final Counter expired;

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
    this.overloaded = dropped(registry, "overloaded");
    this.expired = dropped(registry, "expired");
  }

  private static Counter dropped(MeterRegistry registry, String reason) {
    return Counter.builder("rmm.writer.dropped")
        .description(
            "Requests a writer did not decide: its queue was full (overloaded) or the requester's"
                + " deadline had passed (expired)")
        .tag("reason", reason)
        .register(registry);
  }

  void refusedOverloaded() {
    overloaded.increment();
  }

  void expired() {
    expired.increment();
  }

  void decided(int requests) {
    batchSize.record(requests);
  }

  void appended(long nanos) {
    append.record(nanos, TimeUnit.NANOSECONDS);
  }
}
