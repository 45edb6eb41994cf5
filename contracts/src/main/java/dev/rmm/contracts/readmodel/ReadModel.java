package dev.rmm.contracts.readmodel;

/**
 * The Postgres read model that release-projector builds and release-api and telegram-gateway read:
 * its schema's name, defined once so that the writer and both readers cannot drift apart.
 */
public final class ReadModel {

  /** The schema that holds the live read model ({@code releases}, {@code release_events}, ...). */
  public static final String SCHEMA = "read_model";

  private ReadModel() {}
}
