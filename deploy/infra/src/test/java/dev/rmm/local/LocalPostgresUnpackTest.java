package dev.rmm.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A first start stopped while PostgreSQL's binaries were being unpacked (found: the JVM ran out of
 * memory there) must not make every later start fail on the files already unpacked.
 */
class LocalPostgresUnpackTest {

  @TempDir Path tmp;

  @Test
  void givenAnUnpackCutShort_whenTheNextStartTripsOverItsFiles_thenTheDirectoryIsRemoved()
      throws IOException {
    Path unpack = Files.createDirectories(tmp.resolve("embedded-pg/PG-3f56/lib"));
    Path lib = Files.writeString(unpack.resolve("libpq.so"), "half");
    var failure = new IllegalStateException(new FileAlreadyExistsException(lib.toString()));

    assertThat(LocalPostgres.removeHalfUnpackedBinaries(failure)).isTrue();
    assertThat(tmp.resolve("embedded-pg/PG-3f56")).doesNotExist();
    assertThat(tmp.resolve("embedded-pg")).isDirectory();
  }

  @Test
  void givenACompleteUnpack_whenAStartFails_thenTheBinariesAreKept() throws IOException {
    Path pg = Files.createDirectories(tmp.resolve("embedded-pg/PG-3f56"));
    Files.writeString(pg.resolve(".exists"), "");
    Path lib =
        Files.writeString(Files.createDirectories(pg.resolve("lib")).resolve("libpq.so"), "");

    assertThat(
            LocalPostgres.removeHalfUnpackedBinaries(
                new FileAlreadyExistsException(lib.toString())))
        .isFalse();
    assertThat(lib).exists();
  }

  @Test
  void givenAnotherFailure_whenAStartFails_thenNothingIsRemoved() throws IOException {
    Path other = Files.createDirectories(tmp.resolve("data"));
    Path file = Files.writeString(other.resolve("postgresql.conf"), "");

    assertThat(LocalPostgres.removeHalfUnpackedBinaries(new IOException("port in use"))).isFalse();
    assertThat(
            LocalPostgres.removeHalfUnpackedBinaries(
                new FileAlreadyExistsException(file.toString())))
        .isFalse();
    assertThat(file).exists();
  }
}
