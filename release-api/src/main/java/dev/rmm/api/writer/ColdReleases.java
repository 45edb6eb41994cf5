package dev.rmm.api.writer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The releases of one partition that are not in the writer's heap, in a local file that is also the
 * partition's snapshot (issue 12: bounded memory, and a takeover that does not build an object per
 * release). The file is immutable: a newer one is written by merging this one with what changed
 * ({@link Builder#merge}).
 *
 * <p>Layout: the releases sorted by a 64-bit hash of their id (then the id), in buckets of {@link
 * #PER_BUCKET} records, each bucket deflated on its own; then the index (every record's hash, and
 * where each bucket starts); then the snapshot's metadata; then a fixed trailer. The heap holds
 * only the index: 8 bytes per release plus 12 per bucket. Looking a release up is a binary search
 * in the hashes, one positional read and the inflation of one bucket (a few KiB); a release that is
 * not in the file is known absent from the hashes alone.
 *
 * <p>Why not an embedded store (H2 MVStore, RocksDB): the new owner of a partition has neither the
 * old owner's disk nor its heap, so the store must travel through Kafka anyway. A file that is both
 * the store and the snapshot is downloaded and used as it is; a store would have to be rebuilt
 * record by record from a snapshot on every takeover, which is the per-release cost to avoid.
 */
final class ColdReleases implements AutoCloseable {

  static final int PER_BUCKET = 128;

  private static final long MAGIC = 0x726d6d2d636f6c64L; // "rmm-cold"
  private static final int TRAILER = 8 + 8 + 4 + 8 + 8;

  private final Path file;
  private final FileChannel channel;
  private final long[] hashes;
  private final long[] bucketAt;
  private final int[] bucketRaw;
  private final byte[] meta;

  private ColdReleases(
      Path file,
      FileChannel channel,
      long[] hashes,
      long[] bucketAt,
      int[] bucketRaw,
      byte[] meta) {
    this.file = file;
    this.channel = channel;
    this.hashes = hashes;
    this.bucketAt = bucketAt;
    this.bucketRaw = bucketRaw;
    this.meta = meta;
  }

  /** Opens a file that {@link Builder} wrote (or that was downloaded as a snapshot). */
  static ColdReleases open(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = ch.size();
      if (size < TRAILER) {
        throw new IOException(file + " is too short to be a release file");
      }
      ByteBuffer t = read(ch, size - TRAILER, TRAILER);
      long indexAt = t.getLong();
      long metaAt = t.getLong();
      int metaLength = t.getInt();
      long count = t.getLong();
      if (t.getLong() != MAGIC || count < 0 || count > Integer.MAX_VALUE) {
        throw new IOException(file + " is not a release file");
      }
      int n = (int) count;
      int buckets = (n + PER_BUCKET - 1) / PER_BUCKET;
      ByteBuffer index = read(ch, indexAt, n * 8L + (buckets + 1) * 8L + buckets * 4L);
      long[] hashes = new long[n];
      index.asLongBuffer().get(hashes);
      index.position(n * 8);
      long[] bucketAt = new long[buckets + 1];
      index.asLongBuffer().get(bucketAt);
      index.position(index.position() + (buckets + 1) * 8);
      int[] bucketRaw = new int[buckets];
      index.asIntBuffer().get(bucketRaw);
      byte[] meta = new byte[metaLength];
      read(ch, metaAt, metaLength).get(meta);
      return new ColdReleases(file, ch, hashes, bucketAt, bucketRaw, meta);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static ByteBuffer read(FileChannel ch, long at, long length) throws IOException {
    if (length > Integer.MAX_VALUE) {
      throw new IOException("a section of " + length + " bytes is too large");
    }
    ByteBuffer b = ByteBuffer.allocate((int) length).order(ByteOrder.BIG_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b, at + b.position()) < 0) {
        throw new IOException("the release file ends early");
      }
    }
    return b.flip();
  }

  Path file() {
    return file;
  }

  int size() {
    return hashes.length;
  }

  /** What the writer of the file stored beside the releases (the snapshot's header). */
  byte[] meta() {
    return meta.clone();
  }

  /** A 64-bit hash of a release id (FNV-1a over its UTF-16 units, then a finaliser). */
  static long hash(String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }

  /** Whether the file may hold {@code id} (false: it certainly does not). */
  boolean mayHold(String id) {
    return Arrays.binarySearch(hashes, hash(id)) >= 0;
  }

  /** The stored value of {@code id}, or null when the file does not hold it. */
  byte[] get(String id) {
    long h = hash(id);
    int i = Arrays.binarySearch(hashes, h);
    if (i < 0) {
      return null;
    }
    while (i > 0 && hashes[i - 1] == h) {
      i--;
    }
    // equal hashes (of different ids) may straddle buckets
    int looked = -1;
    for (int j = i; j < hashes.length && hashes[j] == h; j++) {
      int b = j / PER_BUCKET;
      if (b != looked) {
        looked = b;
        byte[] found = find(bucket(b), id);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static byte[] find(byte[] bucket, String id) {
    try {
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bucket));
      while (in.available() > 0) {
        in.readLong();
        String key = in.readUTF();
        int length = in.readInt();
        if (key.equals(id)) {
          return in.readNBytes(length);
        }
        in.skipNBytes(length);
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private byte[] bucket(int b) {
    try {
      ByteBuffer packed = read(channel, bucketAt[b], bucketAt[b + 1] - bucketAt[b]);
      Inflater inflater = new Inflater();
      try {
        inflater.setInput(packed);
        byte[] raw = new byte[bucketRaw[b]];
        int n = 0;
        while (n < raw.length && !inflater.finished()) {
          int got = inflater.inflate(raw, n, raw.length - n);
          if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
            break;
          }
          n += got;
        }
        if (n != raw.length) {
          throw new IOException("bucket " + b + " of " + file + " is damaged");
        }
        return raw;
      } finally {
        inflater.end();
      }
    } catch (IOException | DataFormatException e) {
      throw new IllegalStateException("cannot read bucket " + b + " of " + file + ": " + e, e);
    }
  }

  /** One stored release: its hash, its id and its value. */
  record Row(long hash, String key, byte[] value) implements Comparable<Row> {
    static Row of(String key, byte[] value) {
      return new Row(ColdReleases.hash(key), key, value);
    }

    @Override
    public int compareTo(Row o) {
      int c = Long.compare(hash, o.hash);
      return c != 0 ? c : key.compareTo(o.key);
    }
  }

  /** Every release of the file in its order (hash, then id); reads one bucket at a time. */
  Iterator<Row> rows() {
    return new Iterator<>() {
      private int bucket = -1;
      private DataInputStream in;

      @Override
      public boolean hasNext() {
        try {
          while (in == null || in.available() == 0) {
            if (++bucket >= bucketRaw.length) {
              return false;
            }
            in = new DataInputStream(new java.io.ByteArrayInputStream(bucket(bucket)));
          }
          return true;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        try {
          long h = in.readLong();
          String key = in.readUTF();
          return new Row(h, key, in.readNBytes(in.readInt()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing left to read from it either way
    }
  }

  /** Closes the file and deletes it. */
  void delete() {
    close();
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a temporary file: the JVM's exit or the next start's clean-up removes it
    }
  }

  /** Writes a release file from rows given in their order ({@link Row#compareTo}). */
  static final class Builder implements AutoCloseable {
    private final Path file;
    private final FileChannel out;
    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream(64 * 1024);
    private final DataOutputStream rows = new DataOutputStream(raw);
    private final byte[] packed = new byte[64 * 1024];
    private long[] hashes = new long[1024];
    private long[] bucketAt = new long[16];
    private int[] bucketRaw = new int[16];
    private int count;
    private int buckets;
    private long position;
    private Row last;

    Builder(Path file) throws IOException {
      this.file = file;
      this.out =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE);
    }

    /**
     * Writes {@code base}'s rows and {@code changes} (sorted, at most one per id) into a new file:
     * a change replaces the base's row of the same id.
     */
    static ColdReleases merge(Path file, ColdReleases base, Iterator<Row> changes, byte[] meta)
        throws IOException {
      try (Builder b = new Builder(file)) {
        Iterator<Row> old = base == null ? java.util.Collections.emptyIterator() : base.rows();
        Row o = old.hasNext() ? old.next() : null;
        Row c = changes.hasNext() ? changes.next() : null;
        while (o != null || c != null) {
          int cmp = o == null ? 1 : c == null ? -1 : o.compareTo(c);
          if (cmp < 0) {
            b.add(o);
            o = old.hasNext() ? old.next() : null;
          } else {
            b.add(c);
            if (cmp == 0) {
              o = old.hasNext() ? old.next() : null;
            }
            c = changes.hasNext() ? changes.next() : null;
          }
        }
        return b.finish(meta);
      }
    }

    void add(Row row) throws IOException {
      if (last != null && last.compareTo(row) >= 0) {
        throw new IllegalArgumentException(
            "rows out of order: " + row.key() + " after " + last.key());
      }
      last = row;
      if (count == hashes.length) {
        hashes = Arrays.copyOf(hashes, count * 2);
      }
      hashes[count++] = row.hash();
      rows.writeLong(row.hash());
      rows.writeUTF(row.key());
      rows.writeInt(row.value().length);
      rows.write(row.value());
      if (count % PER_BUCKET == 0) {
        flushBucket();
      }
    }

    private void flushBucket() throws IOException {
      if (raw.size() == 0) {
        return;
      }
      if (buckets + 1 >= bucketAt.length) {
        bucketAt = Arrays.copyOf(bucketAt, bucketAt.length * 2);
        bucketRaw = Arrays.copyOf(bucketRaw, bucketRaw.length * 2);
      }
      bucketAt[buckets] = position;
      bucketRaw[buckets] = raw.size();
      buckets++;
      deflater.reset();
      deflater.setInput(raw.toByteArray());
      deflater.finish();
      while (!deflater.finished()) {
        int n = deflater.deflate(packed);
        write(ByteBuffer.wrap(packed, 0, n));
      }
      raw.reset();
    }

    private void write(ByteBuffer b) throws IOException {
      while (b.hasRemaining()) {
        position += out.write(b);
      }
    }

    /** Writes the index, {@code meta} and the trailer; returns the file opened for reading. */
    ColdReleases finish(byte[] meta) throws IOException {
      flushBucket();
      bucketAt[buckets] = position;
      long indexAt = position;
      ByteBuffer index =
          ByteBuffer.allocate(count * 8 + (buckets + 1) * 8 + buckets * 4)
              .order(ByteOrder.BIG_ENDIAN);
      index.asLongBuffer().put(hashes, 0, count);
      index.position(count * 8);
      index.asLongBuffer().put(bucketAt, 0, buckets + 1);
      index.position(index.position() + (buckets + 1) * 8);
      index.asIntBuffer().put(bucketRaw, 0, buckets);
      index.position(0);
      write(index);
      long metaAt = position;
      write(ByteBuffer.wrap(meta));
      ByteBuffer t = ByteBuffer.allocate(TRAILER).order(ByteOrder.BIG_ENDIAN);
      t.putLong(indexAt).putLong(metaAt).putInt(meta.length).putLong(count).putLong(MAGIC);
      write(t.flip());
      out.force(false);
      out.close();
      return open(file);
    }

    @Override
    public void close() throws IOException {
      deflater.end();
      if (out.isOpen()) {
        out.close();
        Files.deleteIfExists(file); // not finished: never leave half a file to be opened
      }
    }
  }
}
