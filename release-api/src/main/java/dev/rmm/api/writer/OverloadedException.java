package dev.rmm.api.writer;

/**
 * The partition's queue of waiting requests is full: the request is refused at once instead of
 * waiting behind work that would outlast its deadline. Commands read from Kafka are never refused
 * this way (the group member pauses their partition instead), only HTTP requests and forwards.
 */
public class OverloadedException extends WriteUnavailableException {
  public OverloadedException(String what, int waiting) {
    super(what + " has " + waiting + " requests waiting, its limit; retry shortly");
  }
}
