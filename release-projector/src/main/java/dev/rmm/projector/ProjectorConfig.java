package dev.rmm.projector;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of release-projector. */
@ConfigMapping(prefix = "rmm")
public interface ProjectorConfig {

  Topics topics();

  Projector projector();

  Api api();

  /** Shared with release-api: the hashed tokens; only admin ({@code *}) entries count here. */
  interface Api {
    /** Comma-separated {@code repository=sha256:<hex>} (RMM_API_TOKENS). */
    java.util.Optional<String> tokens();
  }

  interface Topics {
    /** The release event log (written by release-api). */
    @WithDefault("rmm.release-events")
    String events();

    /** Where a failing projection reports itself, for the gateway's alerts chat. */
    @WithDefault("rmm.alerts")
    String alerts();
  }

  interface Projector {
    /** Consumer group of the live projection; scale out by adding instances. */
    @WithDefault("rmm-release-projector")
    String group();

    /** The most events applied in one Postgres transaction. */
    @WithDefault("2000")
    int maxBatch();

    /** Whether the live projection starts with the application (tests may drive it). */
    @WithDefault("true")
    boolean autoStart();

    /**
     * How long a rebuild waits for the live projection to reach what the rebuild has read
     * (RMM_PROJECTOR_REBUILD_LIVE_WAIT): the two are compared at one log position, so while the
     * live projection is behind (after a restart, say) the rebuild waits; past this it gives up
     * with 503 and Retry-After.
     */
    @WithDefault("90s")
    java.time.Duration rebuildLiveWait();

    /** How often the delivery metrics at /q/metrics are recomputed from the read model. */
    @WithDefault("15s")
    java.time.Duration metricsRefresh();
  }
}
