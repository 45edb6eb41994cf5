package dev.rmm.contracts.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CheckpointTest {

  private static final KeyPair KEYS = CheckpointKeys.generate();
  private static final String KEY_ID = CheckpointKeys.keyId(KEYS.getPublic());

  @Test
  void
      givenASignedCheckpoint_whenEncodedAndDecoded_thenTheSignatureVerifiesWithThePublicKeyAlone() {
    Checkpoint c = signed(digestOf("a", "b"));

    Checkpoint read = Checkpoint.decode(c.encode());
    String publicOnly = CheckpointKeys.encode(KEYS.getPublic());

    assertThat(read).isEqualTo(c);
    assertThat(read.signedBy(CheckpointKeys.publicKey(publicOnly))).isTrue();
  }

  @Test
  void givenAnyFieldChanged_thenTheSignatureNoLongerVerifies() {
    Checkpoint c = signed(digestOf("a", "b"));

    assertThat(withDigest(c, digestOf("a", "c").value()).signedBy(KEYS.getPublic())).isFalse();
    assertThat(
            new Checkpoint(
                    c.topic(),
                    c.partition(),
                    c.offset() + 1,
                    c.events(),
                    c.digest(),
                    c.signedAt(),
                    c.keyId(),
                    c.signature())
                .signedBy(KEYS.getPublic()))
        .isFalse();
    assertThat(c.signedBy(CheckpointKeys.generate().getPublic())).as("another key").isFalse();
  }

  @Test
  void givenTheSameEventsInAnotherOrder_thenTheDigestDiffers() {
    assertThat(digestOf("a", "b").value()).isNotEqualTo(digestOf("b", "a").value());
    assertThat(digestOf("a", "b").value()).isEqualTo(digestOf("a", "b").value());
    assertThat(digestOf("a", "b").events()).isEqualTo(2);
  }

  @Test
  void givenNotAKey_thenLoadingItSaysWhatItMustBe() {
    assertThatThrownBy(() -> CheckpointKeys.privateKey("bm90IGEga2V5"))
        .hasMessage("the checkpoint private key must be an Ed25519 key, base64 PKCS#8");
  }

  private static Checkpoint signed(PartitionDigest d) {
    return Checkpoint.sign(
        "rmm.release-events",
        2,
        41,
        d,
        Instant.parse("2026-12-01T00:00:00Z"),
        KEYS.getPrivate(),
        KEY_ID);
  }

  private static Checkpoint withDigest(Checkpoint c, String digest) {
    return new Checkpoint(
        c.topic(),
        c.partition(),
        c.offset(),
        c.events(),
        digest,
        c.signedAt(),
        c.keyId(),
        c.signature());
  }

  private static PartitionDigest digestOf(String... hashes) {
    PartitionDigest d = new PartitionDigest();
    for (String h : hashes) {
      d.add(h);
    }
    return d;
  }
}
