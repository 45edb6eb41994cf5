package dev.rmm.api.console;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.query.BoardQueries;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * The board's service filter: the names of every service, read at most once per refresh interval
 * ({@code rmm.console.services-refresh}). The names come from a {@code SELECT DISTINCT} over every
 * release, which costs more than the board's page itself with 100k releases, and a new service
 * showing up in the drop-down a few seconds late harms nobody. Readers that ask while a read is
 * under way share it; a read that fails is not kept, the next reader tries again.
 */
@ApplicationScoped
public class ServiceNames {

  /** A read of the names and until when it answers. */
  private record Kept(Uni<List<String>> names, Instant until) {}

  private final Supplier<Uni<List<String>>> read;
  private final Duration refresh;
  private final Clock clock;
  private Kept kept;

  @Inject
  ServiceNames(BoardQueries queries, RmmApiConfig config) {
    this(queries::services, config.console().servicesRefresh(), Clock.systemUTC());
  }

  ServiceNames(Supplier<Uni<List<String>>> read, Duration refresh, Clock clock) {
    this.read = read;
    this.refresh = refresh;
    this.clock = clock;
  }

  /** Every service's name, by name: kept from a read less than the refresh interval ago. */
  synchronized Uni<List<String>> get() {
    Instant now = clock.instant();
    if (kept == null || !now.isBefore(kept.until())) {
      Uni<List<String>> shared = read.get().memoize().indefinitely();
      Kept k = new Kept(shared, now.plus(refresh));
      kept = k;
      return shared.onFailure().invoke(() -> forget(k));
    }
    Kept k = kept;
    return k.names().onFailure().invoke(() -> forget(k));
  }

  private synchronized void forget(Kept k) {
    if (kept == k) {
      kept = null;
    }
  }
}
