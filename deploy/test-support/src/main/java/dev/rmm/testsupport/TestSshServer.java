package dev.rmm.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.shell.ProcessShellCommandFactory;

/**
 * A real SSH server (Apache MINA SSHD) on a free loopback port that runs each command with {@code
 * /bin/sh -c} on this machine, accepts one client key only, and records the commands it ran.
 */
public final class TestSshServer implements AutoCloseable {

  private final SshServer server;
  private final KeyPair hostKey;
  private final KeyPair clientKey;
  private final List<String> commands = new CopyOnWriteArrayList<>();

  private TestSshServer(SshServer server, KeyPair hostKey, KeyPair clientKey) {
    this.server = server;
    this.hostKey = hostKey;
    this.clientKey = clientKey;
  }

  /** Starts a server that trusts a freshly made client key ({@link #clientPrivateKey()}). */
  public static TestSshServer start() {
    try {
      KeyPair host = ecKey();
      KeyPair client = ecKey();
      SshServer s = SshServer.setUpDefaultServer();
      s.setHost("127.0.0.1");
      s.setPort(0);
      s.setKeyPairProvider(KeyPairProvider.wrap(host));
      s.setPasswordAuthenticator(null);
      s.setKeyboardInteractiveAuthenticator(null);
      TestSshServer t = new TestSshServer(s, host, client);
      s.setPublickeyAuthenticator(
          (user, key, session) -> KeyUtils.compareKeys(key, client.getPublic()));
      s.setCommandFactory(
          (channel, command) -> {
            t.commands.add(command);
            return t.timed(
                command, ProcessShellCommandFactory.INSTANCE.createCommand(channel, command));
          });
      s.start();
      return t;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test SSH server", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code 127.0.0.1:<port>}. */
  public String address() {
    return "127.0.0.1:"
        + ((InetSocketAddress) server.getBoundAddresses().iterator().next()).getPort();
  }

  /** The server's host key as an OpenSSH public key line, to pin it. */
  public String hostKeyLine() {
    return publicKeyLine(hostKey.getPublic());
  }

  /** The private key the server accepts, in OpenSSH format. */
  public String clientPrivateKey() {
    return privateKey(clientKey);
  }

  /**
   * One command the server ran: when it started and when its process ended (null while it runs).
   * The process is the {@code /bin/sh -c} the command runs in; what that shell started in the
   * background may outlive it.
   */
  public record Run(String command, Instant started, Instant ended) {}

  private final List<Run[]> runs = new CopyOnWriteArrayList<>();

  /** Commands run so far, in order, with their times. */
  public List<Run> runs() {
    return runs.stream().map(r -> r[0]).toList();
  }

  private Command timed(String command, Command process) {
    Run[] run = {new Run(command, null, null)};
    runs.add(run);
    return new Command() {
      @Override
      public void setExitCallback(ExitCallback callback) {
        process.setExitCallback(
            (code, message, closeImmediately) -> {
              run[0] = new Run(command, run[0].started(), Instant.now());
              callback.onExit(code, message, closeImmediately);
            });
      }

      @Override
      public void setInputStream(InputStream in) {
        process.setInputStream(in);
      }

      @Override
      public void setOutputStream(OutputStream out) {
        process.setOutputStream(out);
      }

      @Override
      public void setErrorStream(OutputStream err) {
        process.setErrorStream(err);
      }

      @Override
      public void start(ChannelSession channel, Environment env) throws IOException {
        run[0] = new Run(command, Instant.now(), null);
        process.start(channel, env);
      }

      @Override
      public void destroy(ChannelSession channel) throws Exception {
        process.destroy(channel);
      }
    };
  }

  /** Commands run so far, in order. */
  public List<String> commands() {
    return List.copyOf(commands);
  }

  public void clearCommands() {
    commands.clear();
    runs.clear();
  }

  /** A key pair the server does not trust, in OpenSSH format. */
  public static String otherPrivateKey() {
    try {
      return privateKey(ecKey());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A host key line that is not this server's. */
  public static String otherHostKeyLine() {
    try {
      return publicKeyLine(ecKey().getPublic());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ecKey() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static String publicKeyLine(PublicKey key) {
    return PublicKeyEntry.toString(key);
  }

  private static String privateKey(KeyPair pair) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "rmm-test", null, out);
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      server.stop(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
