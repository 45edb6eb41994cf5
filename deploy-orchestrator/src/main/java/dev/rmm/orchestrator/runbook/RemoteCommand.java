package dev.rmm.orchestrator.runbook;

/**
 * Wraps a runbook step so that closing its SSH channel stops it on the host. Closing the channel
 * alone does not: sshd (OpenSSH as much as Apache MINA) keeps the command running, and a step that
 * timed out would go on changing the host after it was recorded as failed.
 *
 * <p>Of the ways to stop it, this one works with any sshd and any POSIX shell: the step runs with
 * {@code setsid} in a process group of its own, and a watcher waits for the end of the channel's
 * stdin (which the orchestrator keeps open while the step runs, and which sshd closes when the
 * channel closes); then it sends TERM to the whole group, and KILL five seconds later. A PTY would
 * also hang the command up on close, but mixes stderr into stdout, rewrites line ends and stops
 * nothing that ignores SIGHUP; the SSH "signal" request reaches only the shell, not its children,
 * and many servers ignore it. The wrapper's own output goes nowhere, so the step's output is what
 * the channel carries, and its exit code is the step's.
 */
final class RemoteCommand {

  private RemoteCommand() {}

  /** The command line sent to the host for {@code step}. */
  static String wrap(String step) {
    return "exec 3<&0; setsid /bin/sh -c "
        + quote(step)
        + " </dev/null & p=$!; "
        + "(cat <&3 >/dev/null 2>&1; kill -TERM -$p 2>/dev/null; sleep 5; kill -KILL -$p 2>/dev/null)"
        + " >/dev/null 2>&1 & w=$!; "
        + "wait $p; rc=$?; kill $w 2>/dev/null; exit $rc";
  }

  /** {@code s} as one single-quoted shell word. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
