package dev.rmm.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;

/**
 * A real PostgreSQL server from Maven Central binaries (io.zonky.test), with a data directory that
 * is kept: the first start runs initdb, later starts reuse the databases. Authentication is {@code
 * trust} on loopback, so any password (the services use {@code postgres}) is accepted.
 */
public final class LocalPostgres implements AutoCloseable {

  public static final int DEFAULT_PORT = 5432;
  public static final String PORT_VARIABLE = "RMM_POSTGRES_PORT";
  public static final String USER = "postgres";
  public static final String PASSWORD = "postgres";
  public static final String DATABASE = "postgres";

  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres server;
  private boolean reusedData;

  /**
   * @param dataDir the cluster's data directory (initialized when empty, never cleaned)
   * @param port the port on 127.0.0.1
   */
  public LocalPostgres(Path dataDir, int port) {
    this.dataDir = dataDir.toAbsolutePath();
    this.port = port;
  }

  public synchronized LocalPostgres start() {
    if (server != null) {
      return this;
    }
    requirePortFree();
    try {
      Files.createDirectories(dataDir);
      reusedData = Files.exists(dataDir.resolve("postgresql.conf"));
      try {
        server = startServer();
      } catch (IOException | RuntimeException | ExceptionInInitializerError e) {
        // the library unpacks in a class initializer: this JVM cannot try it again
        if (removeHalfUnpackedBinaries(e)) {
          throw new IllegalStateException(
              "PostgreSQL's binaries were left half-unpacked by an earlier start that was cut"
                  + " short; they are removed now: start again",
              e);
        }
        throw e;
      }
      return this;
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not start PostgreSQL on port " + port + " with data in " + dataDir, e);
    }
  }

  private EmbeddedPostgres startServer() throws IOException {
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setServerConfig("fsync", "off")
        .setPGStartupWait(Duration.ofSeconds(30))
        .start();
  }

  /**
   * The binaries are unpacked once into {@code <tmp>/embedded-pg/PG-<digest>}, marked done by a
   * {@code .exists} file. A first start stopped while unpacking (Ctrl-C, or the JVM out of memory)
   * leaves the directory without the mark, and every later start fails on the files already there
   * ({@link FileAlreadyExistsException}): such a directory is removed, so the next start unpacks
   * again (not this one: the library unpacks in a class initializer, which a JVM runs once).
   * Returns whether one was removed.
   */
  static boolean removeHalfUnpackedBinaries(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof FileAlreadyExistsException exists && exists.getFile() != null) {
        for (Path p = Path.of(exists.getFile()); p != null; p = p.getParent()) {
          boolean unpackDir =
              p.getFileName() != null
                  && p.getFileName().toString().startsWith("PG-")
                  && p.getParent() != null
                  && p.getParent().getFileName().toString().equals("embedded-pg");
          if (unpackDir) {
            if (Files.exists(p.resolve(".exists"))) {
              return false;
            }
            deleteTree(p);
            return true;
          }
        }
      }
    }
    return false;
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove the half-unpacked PostgreSQL in " + dir, e);
    }
  }

  /**
   * Fails with a message that says what to do when the port is taken, and how to stop a server left
   * running on this data directory by an earlier run that was killed.
   */
  public void requirePortFree() {
    try {
      Ports.requireFree(port, "PostgreSQL", PORT_VARIABLE);
    } catch (Ports.PortInUseException e) {
      Path pidFile = dataDir.resolve("postmaster.pid");
      if (Files.exists(pidFile)) {
        throw new Ports.PortInUseException(
            e.getMessage()
                + " (a PostgreSQL from an earlier run may still own "
                + dataDir
                + ": stop it with kill $(head -1 "
                + pidFile
                + "))");
      }
      throw e;
    }
  }

  /** Stops the server (fast shutdown: open sessions are ended, committed data is kept). */
  public synchronized void stop() {
    if (server != null) {
      try {
        server.close();
      } catch (IOException e) {
        throw new IllegalStateException("could not stop PostgreSQL on port " + port, e);
      } finally {
        server = null;
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Whether the last start found an initialized data directory rather than running initdb. */
  public boolean reusedData() {
    return reusedData;
  }

  /** For Flyway and psql-like tools. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  /** For the Quarkus reactive client ({@code quarkus.datasource.reactive.url}). */
  public String reactiveUrl() {
    return "postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  public String psqlCommand() {
    return "psql -h 127.0.0.1 -p " + port + " -U " + USER + " " + DATABASE;
  }
}
