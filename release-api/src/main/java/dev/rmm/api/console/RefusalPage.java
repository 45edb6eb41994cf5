package dev.rmm.api.console;

import dev.rmm.api.console.ConsoleTexts.Language;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/** The console's 403 page: "Access refused", and why, in the reader's language. */
@ApplicationScoped
public class RefusalPage {

  private final ConsolePages pages;

  @Location("console/refused.html")
  Template refused;

  RefusalPage(ConsolePages pages) {
    this.pages = pages;
  }

  Response of(Language lang, UriInfo uri, String reason) {
    String body =
        pages
            .page(refused.instance(), lang, uri, null, ConsoleTexts.word(lang, "refused_title"))
            .data("reason", reason)
            .render();
    return pages.html(403, body, uri).build();
  }
}
