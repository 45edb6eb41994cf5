package dev.rmm.api.writer;

/**
 * This instance does not (or no longer) own the partition of the release: another instance decides
 * for it, or ownership is moving. The caller may retry shortly.
 */
public class NotOwnerException extends WriteUnavailableException {
  public NotOwnerException(int partition, String why) {
    super("partition " + partition + " of the release log is not writable here: " + why);
  }
}
