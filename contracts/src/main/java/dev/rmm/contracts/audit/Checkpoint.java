package dev.rmm.contracts.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.EventCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;

/**
 * A signed statement by release-api: "the valid events of partition {@code partition} below offset
 * {@code offset} are {@code events} events whose {@link PartitionDigest} is {@code digest}". The
 * writer appends one per partition to the checkpoints topic every so often; {@code replay verify
 * --public-key} recomputes each digest from the log and checks each Ed25519 signature, so an
 * auditor with the public key alone can tell that nothing below a checkpoint was changed since.
 *
 * @param keyId {@link CheckpointKeys#keyId} of the signer's public key
 * @param signature base64 Ed25519 signature of {@link #payload()}
 */
public record Checkpoint(
    String topic,
    int partition,
    long offset,
    long events,
    String digest,
    Instant signedAt,
    String keyId,
    String signature) {

  /** The signed bytes: every field but the signature, in a fixed text form. */
  public byte[] payload() {
    return String.join(
            "\n",
            "rmm-checkpoint-v1",
            topic,
            Integer.toString(partition),
            Long.toString(offset),
            Long.toString(events),
            digest,
            signedAt.toString(),
            keyId)
        .getBytes(StandardCharsets.UTF_8);
  }

  public static Checkpoint sign(
      String topic,
      int partition,
      long offset,
      PartitionDigest digest,
      Instant at,
      PrivateKey key,
      String keyId) {
    Checkpoint unsigned =
        new Checkpoint(topic, partition, offset, digest.events(), digest.value(), at, keyId, null);
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(unsigned.payload());
      return new Checkpoint(
          topic,
          partition,
          offset,
          digest.events(),
          digest.value(),
          at,
          keyId,
          Base64.getEncoder().encodeToString(s.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a checkpoint: " + e.getMessage(), e);
    }
  }

  /** Whether the signature is the given key's over this checkpoint's fields. */
  public boolean signedBy(PublicKey key) {
    if (signature == null) {
      return false;
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(payload());
      return s.verify(Base64.getDecoder().decode(signature));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  public byte[] encode() {
    ObjectNode n = EventCodec.mapper().createObjectNode();
    n.put("type", "rmm.checkpoint.v1");
    n.put("topic", topic);
    n.put("partition", partition);
    n.put("offset", offset);
    n.put("events", events);
    n.put("digest", digest);
    n.put("signed_at", signedAt.toString());
    n.put("key_id", keyId);
    n.put("signature", signature);
    try {
      return EventCodec.mapper().writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a checkpoint; an unreadable record is an {@link IllegalArgumentException}. */
  public static Checkpoint decode(byte[] stored) {
    try {
      JsonNode n = EventCodec.mapper().readTree(stored);
      if (n == null || !"rmm.checkpoint.v1".equals(n.path("type").asText())) {
        throw new IllegalArgumentException("not an rmm.checkpoint.v1 record");
      }
      return new Checkpoint(
          n.path("topic").asText(),
          n.path("partition").asInt(),
          n.path("offset").asLong(),
          n.path("events").asLong(),
          n.path("digest").asText(),
          Instant.parse(n.path("signed_at").asText()),
          n.path("key_id").asText(),
          n.path("signature").asText(null));
    } catch (IOException | java.time.DateTimeException e) {
      throw new IllegalArgumentException("unreadable checkpoint: " + e.getMessage(), e);
    }
  }
}
