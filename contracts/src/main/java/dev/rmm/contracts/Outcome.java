package dev.rmm.contracts;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The list a release is shown in: the main menu's active, successful and failed releases. */
public enum Outcome {
  ACTIVE,
  SUCCESSFUL,
  FAILED,
  CANCELLED;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
