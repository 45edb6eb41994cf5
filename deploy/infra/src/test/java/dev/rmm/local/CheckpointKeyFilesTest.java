package dev.rmm.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.audit.CheckpointKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointKeyFilesTest {

  @TempDir Path home;

  @Test
  void givenANewDataDirectory_whenTheStackStarts_thenAMatchingPairIsMadeWithAPrivateFile()
      throws Exception {
    CheckpointKeyFiles.Pair pair = CheckpointKeyFiles.loadOrCreate(home);

    // release-api checks the same way at start-up that the two keys belong together
    CheckpointKeys.matchingPublicKey(
        CheckpointKeys.privateKey(pair.privateKey()), pair.publicKey());
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve("checkpoint-signing.key"))))
        .isEqualTo("rw-------");
    assertThat(Files.readString(pair.publicKeyFile()).trim()).isEqualTo(pair.publicKey());
  }

  @Test
  void givenAPairAlreadyMade_whenTheStackStartsAgain_thenTheSameKeysAreUsed() {
    CheckpointKeyFiles.Pair first = CheckpointKeyFiles.loadOrCreate(home);

    CheckpointKeyFiles.Pair again = CheckpointKeyFiles.loadOrCreate(home);

    assertThat(again).isEqualTo(first);
  }
}
