package dev.rmm.api.query;

import dev.rmm.contracts.readmodel.ReleaseView;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * The OpenAPI document's schemas of the query answers as {@link QueryJson} writes them, where the
 * scanner cannot see it: it reads contracts' {@link ReleaseView} itself, not the mix-ins that leave
 * some of its fields out of the API ({@link ReadModelMixIns.ReleaseAnswer#LEFT_OUT}); it names the
 * read model's approval {@code Approval1} beside the approval request's {@code Approval}; and it
 * describes a timeline event's free-form {@code data} by Jackson's {@code JsonNode} class.
 */
public class QuerySchemas implements OASFilter {

  /** The schema of an approval in a release's {@code approved_list}. */
  static final String APPROVAL_GIVEN = "ApprovalGiven";

  private static final String REFS = "#/components/schemas/";

  @Override
  public void filterOpenAPI(OpenAPI api) {
    if (api.getComponents() == null || api.getComponents().getSchemas() == null) {
      return;
    }
    Map<String, Schema> schemas = api.getComponents().getSchemas();
    Schema release = schemas.get(ReleaseView.class.getSimpleName());
    if (release != null) {
      ReadModelMixIns.ReleaseAnswer.LEFT_OUT.forEach(release::removeProperty);
      Schema approval = release.getProperties().get("approved_list").getItems();
      String scanned = approval.getRef().substring(REFS.length());
      api.getComponents().addSchema(APPROVAL_GIVEN, schemas.get(scanned));
      api.getComponents().removeSchema(scanned);
      approval.setRef(REFS + APPROVAL_GIVEN);
    }
    Schema event = schemas.get(QueryViews.TimelineEvent.class.getSimpleName());
    if (event != null) {
      event.getProperties().get("data").setRef(null);
    }
  }
}
