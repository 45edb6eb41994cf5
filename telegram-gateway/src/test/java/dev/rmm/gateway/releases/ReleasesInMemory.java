package dev.rmm.gateway.releases;

import dev.rmm.contracts.readmodel.ReleaseView;
import jakarta.enterprise.inject.Vetoed;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The read model as a unit test sets it: releases and rollback pickers by release id. Vetoed: the
 * {@code @QuarkusTest} classes see the real ReleaseReader only.
 */
@Vetoed
public class ReleasesInMemory extends ReleaseReader {

  private final Map<String, ReleaseView> releases = new ConcurrentHashMap<>();
  private final Map<String, RollbackPicker> pickers = new ConcurrentHashMap<>();

  public ReleasesInMemory() {
    super(null, null);
  }

  /** The read model now shows this row for its release. */
  public void show(ReleaseView release) {
    releases.put(release.releaseId(), release);
  }

  /** The rollback targets of a release, as the read model's views would give them. */
  public void rollbackTargets(String releaseId, RollbackPicker picker) {
    pickers.put(releaseId, picker);
  }

  @Override
  public Optional<ReleaseView> release(String releaseId) {
    return Optional.ofNullable(releases.get(releaseId));
  }

  @Override
  public RollbackPicker rollbackTargets(String releaseId, int limit) {
    RollbackPicker p = pickers.getOrDefault(releaseId, new RollbackPicker(List.of(), null));
    return new RollbackPicker(p.tags().stream().limit(limit).toList(), p.production());
  }
}
