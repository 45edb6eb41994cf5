package dev.rmm.gateway.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads typed values from a fuzzer's raw bytes, for fuzz tests inside a {@code @QuarkusTest}: there
 * the test method runs in Quarkus' class loader, and Jazzer's {@code FuzzedDataProvider} does not
 * survive the crossing (its calls come back null), while a {@code byte[]} does. Values are taken
 * from the front; when the bytes run out every value is zero or empty.
 */
public final class FuzzInput {

  private final byte[] data;
  private int at;

  public FuzzInput(byte[] data) {
    this.data = data;
  }

  public boolean consumeBoolean() {
    return (next() & 1) == 1;
  }

  /** A value from {@code min} to {@code max}, both included. */
  public int consumeInt(int min, int max) {
    long range = (long) max - min + 1;
    return (int) (min + Math.floorMod(consumeInt(), range));
  }

  public int consumeInt() {
    return (next() << 24) | (next() << 16) | (next() << 8) | next();
  }

  public long consumeLong() {
    return ((long) consumeInt() << 32) | (consumeInt() & 0xffffffffL);
  }

  public <T> T pick(T[] values) {
    return values[consumeInt(0, values.length - 1)];
  }

  /** Up to {@code max} bytes (its length comes first), as UTF-8 with bad sequences replaced. */
  public String consumeString(int max) {
    int length = Math.min(consumeInt(0, max), data.length - at);
    return new String(take(length), StandardCharsets.UTF_8);
  }

  public String consumeRemainingAsString() {
    return new String(consumeRemainingAsBytes(), StandardCharsets.UTF_8);
  }

  public byte[] consumeRemainingAsBytes() {
    return take(data.length - at);
  }

  private byte[] take(int n) {
    byte[] out = Arrays.copyOfRange(data, at, at + Math.max(0, n));
    at += Math.max(0, n);
    return out;
  }

  private int next() {
    return at < data.length ? data[at++] & 0xff : 0;
  }
}
