package dev.rmm.orchestrator.runbook;

import java.time.Duration;

/**
 * Wraps a runbook step so that closing its SSH channel stops it on the host, and so does an
 * orchestrator that goes silent. Closing the channel alone does not: sshd (OpenSSH as much as
 * Apache MINA) keeps the command running, and a step that timed out would go on changing the host
 * after it was recorded as failed.
 *
 * <p>Of the ways to stop it, this one works with any sshd and any POSIX shell: the step runs with
 * {@code setsid} in a process group of its own, and a watcher reads the channel's stdin, which the
 * orchestrator keeps open while the step runs and which sshd closes when the channel closes. When
 * stdin ends the watcher sends TERM to the whole group, and KILL five seconds later. A PTY would
 * also hang the command up on close, but mixes stderr into stdout, rewrites line ends and stops
 * nothing that ignores SIGHUP; the SSH "signal" request reaches only the shell, not its children,
 * and many servers ignore it. The wrapper's own output goes nowhere, so the step's output is what
 * the channel carries, and its exit code is the step's.
 *
 * <p>The orchestrator also writes a {@link #HEARTBEAT} byte to stdin every second while it holds
 * its lease, and where the host has {@code timeout} (coreutils, busybox) the watcher stops the step
 * once no byte came for {@code silence}. An orchestrator that is frozen (SIGSTOP, a VM paused, a
 * stop-the-world pause) keeps its TCP connection, so its channel never closes and it cannot stop
 * its step itself: the host then stops the step on its own, within the lease, before another
 * orchestrator may settle the runbook. Without {@code timeout} only the channel's end stops it.
 */
final class RemoteCommand {

  /** The byte the orchestrator sends while it may go on (not a newline: the shell drops those). */
  static final byte HEARTBEAT = '.';

  private RemoteCommand() {}

  /**
   * The command line sent to the host for {@code step}, stopped after {@code silence} without a
   * heartbeat (whole seconds, at least one).
   */
  static String wrap(String step, Duration silence) {
    long seconds = Math.max(1, silence.toSeconds());
    return "exec 3<&0; setsid /bin/sh -c "
        + quote(step)
        + " </dev/null & p=$!; "
        + "(if command -v timeout >/dev/null 2>&1; then"
        + " while [ -n \"$(timeout "
        + seconds
        + " dd bs=1 count=1 <&3 2>/dev/null)\" ]; do :; done;"
        + " else cat <&3 >/dev/null 2>&1; fi;"
        + " kill -TERM -$p 2>/dev/null; sleep 5; kill -KILL -$p 2>/dev/null)"
        + " >/dev/null 2>&1 & w=$!; "
        + "wait $p; rc=$?; kill $w 2>/dev/null; exit $rc";
  }

  /** {@code s} as one single-quoted shell word. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
