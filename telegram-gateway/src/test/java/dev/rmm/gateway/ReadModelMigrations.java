package dev.rmm.gateway;

import java.nio.file.Path;
import java.util.Comparator;

/**
 * release-projector's read-model migrations in the order Flyway applies them, for tests that create
 * the read model from the files: by version, since by name {@code V11__} comes before {@code V1__}.
 */
public final class ReadModelMigrations {

  /** Orders {@code V<n>__<name>.sql} files by {@code n}. */
  public static final Comparator<Path> IN_ORDER =
      Comparator.comparingInt(ReadModelMigrations::version);

  private ReadModelMigrations() {}

  private static int version(Path migration) {
    String name = migration.getFileName().toString();
    return Integer.parseInt(name.substring(1, name.indexOf("__")));
  }
}
