package dev.rmm.orchestrator.runbook;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
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
 * timeout; its exit code, duration and the tail of its output come back.
 */
public final class SshRunner {

  private static final Logger LOG = Logger.getLogger(SshRunner.class);
  private static final int TAIL_LINES = 20;
  private static final int TAIL_CHARS = 2000;

  /** What a command did; exit code -1 when it timed out or the connection broke. */
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
    ClientSession session = connection.session();
    long start = System.nanoTime();
    Tail tail = new Tail();
    try (ChannelExec channel = session.createExecChannel(command)) {
      channel.setOut(tail);
      channel.setErr(tail);
      channel.open().verify(timeout);
      long left = Math.max(1, timeout.toMillis() - elapsed(start));
      Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), left);
      if (events.contains(ClientChannelEvent.TIMEOUT)) {
        channel.close(true);
        return new Result(
            -1, elapsed(start), tail.text(), "timed out after " + timeout.toSeconds() + " s");
      }
      Integer exit = channel.getExitStatus();
      return new Result(
          exit == null ? -1 : exit,
          elapsed(start),
          tail.text(),
          exit == null ? "the connection closed without an exit status" : null);
    } catch (IOException e) {
      return new Result(-1, elapsed(start), tail.text(), "SSH failed: " + e.getMessage());
    }
  }

  private static long elapsed(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** Keeps the last lines of what a command printed. */
  private static final class Tail extends OutputStream {
    private final Deque<String> lines = new ArrayDeque<>();
    private final StringBuilder current = new StringBuilder();
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        flushLine();
      } else {
        pending.write(b);
      }
    }

    private void flushLine() {
      current.append(pending.toString(StandardCharsets.UTF_8));
      pending.reset();
      lines.addLast(current.toString());
      current.setLength(0);
      while (lines.size() > TAIL_LINES) {
        lines.removeFirst();
      }
    }

    synchronized String text() {
      if (pending.size() > 0) {
        flushLine();
      }
      String all = String.join("\n", lines);
      return all.length() > TAIL_CHARS ? all.substring(all.length() - TAIL_CHARS) : all;
    }
  }
}
