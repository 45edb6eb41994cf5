package dev.rmm.testsupport;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Flyway's order of migration files ({@code V<version>__<name>.sql}): by version number, not by
 * name. Tests that build the read model from release-projector's migrations without Flyway sort
 * with it; sorted by name, {@code V10__...} ran before {@code V1__...} and found no table.
 */
public final class MigrationOrder {

  private static final Pattern VERSION = Pattern.compile("V(\\d+)__.*");

  /** Compares migration files by their version number. */
  public static final Comparator<Path> BY_VERSION =
      Comparator.comparingLong(MigrationOrder::version);

  private MigrationOrder() {}

  private static long version(Path file) {
    Matcher m = VERSION.matcher(file.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a versioned migration: " + file);
    }
    return Long.parseLong(m.group(1));
  }
}
