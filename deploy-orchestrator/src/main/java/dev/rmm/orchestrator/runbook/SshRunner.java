package dev.rmm.orchestrator.runbook;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.jboss.logging.Logger;

/**
 * Runs commands on a host over SSH with Apache MINA SSHD: key authentication only, and the host key
 * must be the pinned one (an unknown or changed key refuses the connection). Each command has a
 * timeout; its exit code, duration and the tail of its output come back. A command that times out
 * or is stopped is stopped on the host as well, not only its channel ({@link RemoteCommand}).
 */
public final class SshRunner {

  private static final Logger LOG = Logger.getLogger(SshRunner.class);

  /** Lines of output kept. */
  static final int TAIL_LINES = 20;

  /** Bytes kept of one line (its end); a line longer than that is marked as cut. */
  static final int LINE_BYTES = 4096;

  /** How often a running command checks that it may go on. */
  private static final Duration CHECK_EVERY = Duration.ofSeconds(1);

  /**
   * How long a host lets a step run without a heartbeat from this runner when none is given: half
   * the default runbook lease ({@code rmm.deploy.runbook-lease}, 20 s).
   */
  public static final Duration DEFAULT_SILENCE = Duration.ofSeconds(10);

  private final Duration silence;

  /** A runner whose steps the host stops after {@link #DEFAULT_SILENCE} without a heartbeat. */
  public SshRunner() {
    this(DEFAULT_SILENCE);
  }

  /**
   * @param silence how long the host lets a step run without hearing from this runner, which sends
   *     a heartbeat every second while the step may go on ({@link RemoteCommand}); shorter than the
   *     runbook lease, so that a frozen orchestrator's step is stopped on the host before another
   *     orchestrator may settle its runbook
   */
  public SshRunner(Duration silence) {
    this.silence = silence;
  }

  /** The problem of a command stopped because the orchestrator lost its lease. */
  public static final String STOPPED = "stopped: this orchestrator no longer owns the runbook";

  /**
   * What a command did; exit code -1 when it timed out, was stopped or the connection broke. The
   * output tail is raw (bounded, not redacted).
   */
  public record Result(int exitCode, long durationMs, String outputTail, String problem) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** A connection could not be made (unknown host key, refused key, unreachable host). */
  public static final class ConnectException extends Exception {
    ConnectException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** An authenticated session on a host; closing it closes its client too. */
  public record Connection(SshClient client, ClientSession session) implements AutoCloseable {
    @Override
    public void close() {
      session.close(true);
      client.stop();
    }
  }

  /**
   * Connects and authenticates.
   *
   * @param hostKeyLine the pinned host key, an OpenSSH public key line ({@code ecdsa-sha2-nistp256
   *     AAAA...})
   * @param privateKey the client's private key, OpenSSH or PEM
   */
  public Connection connect(
      String host, int port, String user, String hostKeyLine, String privateKey, Duration timeout)
      throws ConnectException {
    PublicKey pinned;
    Iterable<KeyPair> identities;
    try {
      pinned =
          AuthorizedKeyEntry.parseAuthorizedKeyEntry(hostKeyLine.strip())
              .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
      identities =
          SecurityUtils.loadKeyPairIdentities(
              null,
              NamedResource.ofName("private key of " + user + "@" + host),
              new ByteArrayInputStream(privateKey.getBytes(StandardCharsets.UTF_8)),
              null);
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new ConnectException(
          "unusable SSH key settings for " + host + ": " + e.getMessage(), e);
    }
    // one client per connection: its verifier knows exactly one pinned key
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(
        (s, address, key) -> {
          boolean same = KeyUtils.compareKeys(pinned, key);
          if (!same) {
            LOG.errorf(
                "Refusing %s: its host key %s is not the pinned one %s",
                address, KeyUtils.getFingerPrint(key), KeyUtils.getFingerPrint(pinned));
          }
          return same;
        });
    client.start();
    ClientSession session = null;
    try {
      session = client.connect(user, host, port).verify(timeout).getSession();
      Iterator<KeyPair> keys = identities == null ? null : identities.iterator();
      if (keys == null || !keys.hasNext()) {
        throw new ConnectException("no private key for " + user + "@" + host, null);
      }
      keys.forEachRemaining(session::addPublicKeyIdentity);
      session.auth().verify(timeout);
      return new Connection(client, session);
    } catch (IOException | ConnectException e) {
      if (session != null) {
        session.close(true);
      }
      client.stop();
      if (e instanceof ConnectException c) {
        throw c;
      }
      throw new ConnectException(
          "cannot connect to " + user + "@" + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** Runs one command; never throws for what the command does. */
  public Result run(Connection connection, String command, Duration timeout) {
    return run(connection, command, timeout, () -> true);
  }

  /**
   * Runs one command until it ends, its timeout passes or {@code mayGoOn} turns false (checked
   * every {@link #CHECK_EVERY}: the orchestrator lost its right to run the runbook). A command that
   * is stopped is stopped on the host too ({@link RemoteCommand}). Never throws for what the
   * command does.
   */
  public Result run(
      Connection connection, String command, Duration timeout, BooleanSupplier mayGoOn) {
    ClientSession session = connection.session();
    long start = System.nanoTime();
    Tail tail = new Tail();
    // stdin stays open while the step runs: its end (the channel's close) is what stops the
    // command on the host, so the channel must not send EOF before
    PipedOutputStream stdin = new PipedOutputStream();
    try (ChannelExec channel = session.createExecChannel(RemoteCommand.wrap(command, silence));
        PipedInputStream in = new PipedInputStream(stdin)) {
      channel.setIn(in);
      channel.setOut(tail);
      channel.setErr(tail);
      channel.open().verify(timeout);
      while (true) {
        long left = timeout.toMillis() - elapsed(start);
        if (left <= 0) {
          stop(channel, stdin);
          return new Result(
              -1, elapsed(start), tail.text(), "timed out after " + timeout.toSeconds() + " s");
        }
        Set<ClientChannelEvent> events =
            channel.waitFor(
                EnumSet.of(ClientChannelEvent.CLOSED), Math.min(left, CHECK_EVERY.toMillis()));
        if (events.contains(ClientChannelEvent.CLOSED)) {
          break;
        }
        if (!mayGoOn.getAsBoolean()) {
          stop(channel, stdin);
          return new Result(-1, elapsed(start), tail.text(), STOPPED);
        }
        heartbeat(stdin);
      }
      Integer exit = channel.getExitStatus();
      return new Result(
          exit == null ? -1 : exit,
          elapsed(start),
          tail.text(),
          exit == null ? "the connection closed without an exit status" : null);
    } catch (IOException e) {
      return new Result(-1, elapsed(start), tail.text(), "SSH failed: " + e.getMessage());
    } finally {
      closeQuietly(stdin);
    }
  }

  /**
   * Tells the host's wrapper that the step may go on; a host that hears nothing for the silence
   * stops it ({@link RemoteCommand}). A failed write means the channel is closing: its end stops
   * the step anyway, and the wait for it says how the step ended.
   */
  private static void heartbeat(PipedOutputStream stdin) {
    try {
      stdin.write(RemoteCommand.HEARTBEAT);
      stdin.flush();
    } catch (IOException e) {
      LOG.debugf("No heartbeat to the host: %s", e.getMessage());
    }
  }

  /** Closes the command's stdin and its channel: the host's wrapper then stops the command. */
  private static void stop(ChannelExec channel, PipedOutputStream stdin) {
    closeQuietly(stdin);
    channel.close(false).awaitUninterruptibly(CHECK_EVERY);
    channel.close(true);
  }

  private static void closeQuietly(OutputStream out) {
    try {
      out.close();
    } catch (IOException e) {
      // nothing more to stop
    }
  }

  private static long elapsed(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  /**
   * Keeps the last {@link #TAIL_LINES} lines of what a command printed, each cut to its last {@link
   * #LINE_BYTES} bytes, so that a command printing without end costs bounded memory. The text is
   * raw: redact it before it goes anywhere ({@link dev.rmm.contracts.ops.Redactor#redactTail}).
   */
  static final class Tail extends OutputStream {
    private final Deque<String> lines = new ArrayDeque<>();
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
    private boolean cut;

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        flushLine();
      } else {
        pending.write(b);
        if (pending.size() >= 2 * LINE_BYTES) {
          keepLineEnd();
        }
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    private void keepLineEnd() {
      byte[] all = pending.toByteArray();
      pending.reset();
      pending.write(all, all.length - LINE_BYTES, LINE_BYTES);
      cut = true;
    }

    private void flushLine() {
      if (pending.size() > LINE_BYTES) {
        keepLineEnd();
      }
      lines.addLast((cut ? "\u2026" : "") + pending.toString(StandardCharsets.UTF_8));
      pending.reset();
      cut = false;
      while (lines.size() > TAIL_LINES) {
        lines.removeFirst();
      }
    }

    synchronized String text() {
      if (pending.size() > 0) {
        flushLine();
      }
      return String.join("\n", lines);
    }
  }
}
