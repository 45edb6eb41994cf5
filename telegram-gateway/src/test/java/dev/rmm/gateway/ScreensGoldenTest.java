package dev.rmm.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Outcome;
import dev.rmm.gateway.Screens.Screen;
import dev.rmm.gateway.Texts.Language;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The main menu, an empty list, a confirmation and the service picker in both languages, against
 * golden files.
 */
class ScreensGoldenTest {

  @ParameterizedTest
  @EnumSource(Language.class)
  void theScreensMatchTheirGoldenFiles(Language lang) throws IOException {
    String shown =
        render(Screens.mainMenu("Ann", lang))
            + "===\n"
            + render(Screens.emptyList(Outcome.FAILED, lang))
            + "===\n"
            + render(
                Screens.confirmation(
                    Texts.CONFIRM_APPROVE.in(lang, "billing", "v1.4.0"),
                    Texts.BUTTON_YES_APPROVE.in(lang),
                    "TOKEN0123456789a",
                    lang))
            + "===\n"
            + render(
                Screens.servicePicker(
                    Outcome.ACTIVE,
                    java.util.List.of(
                        new dev.rmm.gateway.releases.ReleaseReader.ServiceCount("billing", 2),
                        new dev.rmm.gateway.releases.ReleaseReader.ServiceCount("checkout", 1),
                        new dev.rmm.gateway.releases.ReleaseReader.ServiceCount(
                            "a-service-with-a-very-long-name-that-is-cut", 1)),
                    lang));
    assertThat(shown).isEqualTo(resource("golden/screens-" + lang.name().toLowerCase() + ".txt"));
  }

  /** Issue 15, point 6: an admin's retry of a failed production dispatch asks first. */
  @ParameterizedTest
  @EnumSource(Language.class)
  void theRetryDispatchConfirmationMatchesItsGoldenFile(Language lang) throws IOException {
    String shown =
        render(
            Screens.confirmation(
                Texts.CONFIRM_RETRY_DISPATCH.in(lang, "billing", "v1.4.0"),
                Texts.BUTTON_YES_RETRY_DISPATCH.in(lang),
                "TOKEN0123456789a",
                lang));
    assertThat(shown)
        .isEqualTo(resource("golden/screen-retry-dispatch-" + lang.name().toLowerCase() + ".txt"));
  }

  /** Issue 15, point 4: an admin's break-glass, and a second admin's confirmation, ask first. */
  @ParameterizedTest
  @EnumSource(Language.class)
  void theBreakGlassRequestAndItsConfirmationByASecondAdminMatchTheirGoldenFiles(Language lang)
      throws IOException {
    String request =
        render(
            Screens.confirmation(
                Texts.CONFIRM_BREAK_GLASS_REQUEST.in(
                    lang,
                    "billing",
                    "v1.4.0",
                    "payments are down; the fix passed stage",
                    // a policy's window of 21 minutes: the Russian noun agrees ("21 минуту")
                    Minutes.of(21, lang)),
                Texts.BUTTON_YES_BREAK_GLASS.in(lang),
                "TOKEN0123456789a",
                lang));
    String second =
        render(
            Screens.confirmation(
                Texts.CONFIRM_BREAK_GLASS_SECOND.in(
                    lang,
                    "billing",
                    "v1.4.0",
                    "Olga Admin",
                    "payments are down; the fix passed stage"),
                Texts.BUTTON_YES_CONFIRM_BREAK_GLASS.in(lang),
                "TOKEN0123456789b",
                lang));
    assertThat(request + "===\n" + second)
        .isEqualTo(resource("golden/screen-break-glass-" + lang.name().toLowerCase() + ".txt"));
  }

  private static String render(Screen s) {
    return Golden.render(s.text(), s.keyboard());
  }

  private static String resource(String name) throws IOException {
    return Golden.resource(name);
  }
}
