package dev.rmm.api.console;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.query.ReleaseQueries;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Tells the console's live pages that the read model changed. One ticker per instance, running only
 * while a page listens, reads the projection's position ({@link ReleaseQueries#projectionPosition}:
 * one indexed sum over a row per partition) and sends the new position to every listener when it
 * moved.
 *
 * <p>Why polling and not Postgres LISTEN/NOTIFY: the projector would have to notify in its
 * transaction (a change to another service's hot path, which another session is reworking), and a
 * listening connection has to be kept and re-established across read-model outages and rebuild
 * swaps; one small query every {@code rmm.console.live-interval} (300 ms) for all pages together
 * costs less than that and survives both. A page learns of a change within that interval plus the
 * projection's own lag.
 */
@ApplicationScoped
public class ReadModelChanges {

  private static final Logger LOG = Logger.getLogger(ReadModelChanges.class);

  /** A listener hears the position at least this often, so that proxies keep the stream open. */
  private static final Duration KEEPALIVE = Duration.ofSeconds(15);

  private final ReleaseQueries queries;
  private final Vertx vertx;
  private final Duration interval;
  private final BroadcastProcessor<Long> changes = BroadcastProcessor.create();
  private final AtomicInteger listeners = new AtomicInteger();
  private final AtomicLong position = new AtomicLong(Long.MIN_VALUE);
  private final AtomicBoolean polling = new AtomicBoolean();
  private final AtomicBoolean away = new AtomicBoolean();
  private volatile long timer = -1;

  ReadModelChanges(ReleaseQueries queries, Vertx vertx, RmmApiConfig config) {
    this.queries = queries;
    this.vertx = vertx;
    this.interval = config.console().liveInterval();
  }

  /**
   * The positions for one page: the current one at once, then each new one, and the current one
   * again every {@link #KEEPALIVE}.
   */
  public Multi<Long> stream() {
    Multi<Long> keepalive = Multi.createFrom().ticks().every(KEEPALIVE).map(t -> position.get());
    return Multi.createBy()
        .merging()
        .streams(Multi.createFrom().item(position::get), changes, keepalive)
        .filter(p -> p != Long.MIN_VALUE)
        .onSubscription()
        .invoke(this::listening)
        .onTermination()
        .invoke(this::leaving);
  }

  private synchronized void listening() {
    if (listeners.getAndIncrement() == 0 && timer < 0) {
      timer = vertx.setPeriodic(1, Math.max(1, interval.toMillis()), id -> poll());
    }
  }

  private synchronized void leaving() {
    if (listeners.decrementAndGet() == 0 && timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void poll() {
    if (!polling.compareAndSet(false, true)) {
      return; // the previous read has not answered yet
    }
    queries
        .projectionPosition()
        .subscribe()
        .with(
            p -> {
              polling.set(false);
              if (away.compareAndSet(true, false)) {
                LOG.info("Console: the read model answers again; live pages follow it");
              }
              if (position.getAndSet(p) != p) {
                changes.onNext(p);
              }
            },
            f -> {
              polling.set(false);
              if (away.compareAndSet(false, true)) {
                LOG.warnf(
                    "Console: cannot read the projection's position (%s); live pages stand"
                        + " still until the read model answers",
                    f.getMessage());
              }
            });
  }

  void onStop(@Observes ShutdownEvent ev) {
    long t = timer;
    if (t >= 0) {
      vertx.cancelTimer(t);
    }
    changes.onComplete();
  }
}
