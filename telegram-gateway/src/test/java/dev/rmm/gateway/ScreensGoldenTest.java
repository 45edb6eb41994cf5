package dev.rmm.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Outcome;
import dev.rmm.gateway.Screens.Screen;
import dev.rmm.gateway.Texts.Language;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The main menu, an empty list and a confirmation in both languages, against golden files. */
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
                    lang));
    assertThat(shown).isEqualTo(resource("golden/screens-" + lang.name().toLowerCase() + ".txt"));
  }

  /** A screen as a human reads it: the text, then one line per row of buttons. */
  static String render(Screen s) {
    String rows =
        s.keyboard().getKeyboard().stream()
            .map(
                row ->
                    row.stream()
                        .map(b -> "[" + b.getText() + " | " + b.getCallbackData() + "]")
                        .collect(Collectors.joining(" ")))
            .collect(Collectors.joining("\n"));
    return s.text() + "\n---\n" + rows + "\n";
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ScreensGoldenTest.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
