package dev.rmm.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.readmodel.ReleaseView;
import java.io.IOException;

/**
 * Test rows of the read model, written as the JSON {@code to_jsonb} gives them and bound as
 * ReleaseReader binds them, so that a fixture also proves the binding of its columns.
 */
public final class ReleaseRows {

  private ReleaseRows() {}

  public static ReleaseView view(JsonNode row) {
    try {
      return EventCodec.mapper().treeToValue(row, ReleaseView.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("the row does not bind to ReleaseView: " + row, e);
    }
  }

  /** A row with only a service and a tag (what alerts and announcements name a release by). */
  public static ReleaseView named(String service, String tag) {
    return view(
        EventCodec.mapper()
            .createObjectNode()
            .put("service_name", service)
            .put("release_tag", tag));
  }
}
