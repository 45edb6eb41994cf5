package dev.rmm.e2e;

import dev.rmm.contracts.audit.CheckpointKeys;
import dev.rmm.local.CheckpointKeyFiles;
import java.security.KeyPair;

/**
 * The stack shared by the classes that need nothing but the plain environment (no fake Telegram or
 * GitHub, no SSH host, no collector): one start of the whole stack for all of them instead of one
 * per class (about half a minute each on 2 cores). The writer signs checkpoints with {@link
 * #CHECKPOINT_KEY}, as it does in the local stack (deploy/local/start makes a key), every second.
 *
 * <pre>{@code
 * @Order(SharedStack.LAST)
 * class SomeTest {
 *   @RegisterExtension static final StackExtension stack = SharedStack.extension();
 * }</pre>
 *
 * <p>Each class's releases are of services of its own, and a class that kills a service starts it
 * again (see {@link StackExtension#sharedAs}). Its classes run after every other class ({@link
 * #LAST}, with {@code junit.jupiter.testclass.order.default} in junit-platform.properties): the
 * stack stops when the run ends, so it is not left idle beside the other classes' stacks.
 */
final class SharedStack {

  /** The writer's checkpoint key, as deploy/local/start makes one (CheckpointKeyFiles). */
  static final KeyPair CHECKPOINT_KEY = CheckpointKeys.generate();

  /** The Telegram bot token release-api's console checks logins with (a made-up one). */
  static final String CONSOLE_BOT_TOKEN = "4242:shared-stack-console-bot";

  /** The {@code @Order} of the classes sharing the stack: after every other class. */
  static final int LAST = Integer.MAX_VALUE;

  private SharedStack() {}

  static StackExtension extension() {
    return new StackExtension()
        .withEnvironment(
            CheckpointKeyFiles.PRIVATE_KEY_VARIABLE,
            CheckpointKeys.encode(CHECKPOINT_KEY.getPrivate()))
        .withEnvironment(
            CheckpointKeyFiles.PUBLIC_KEY_VARIABLE,
            CheckpointKeys.encode(CHECKPOINT_KEY.getPublic()))
        .withEnvironment("RMM_CHECKPOINTS_EVERY", "1s")
        // the web console checks Telegram logins against this bot's token (ConsoleBrowserTest
        // signs them as Telegram would; Telegram itself is never reached)
        .withEnvironment("RMM_CONSOLE_TELEGRAM_BOT_TOKEN", CONSOLE_BOT_TOKEN)
        .sharedAs("shared-stack");
  }
}
