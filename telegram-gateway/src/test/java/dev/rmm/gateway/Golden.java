package dev.rmm.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;

/** What the golden files hold: a screen as a human reads it, and the files themselves. */
public final class Golden {

  private Golden() {}

  /** The text, then one line per row of buttons: {@code [text | callback data]}. */
  public static String render(String text, InlineKeyboardMarkup keyboard) {
    String rows =
        keyboard.getKeyboard().stream()
            .map(
                row ->
                    row.stream()
                        .map(b -> "[" + b.getText() + " | " + b.getCallbackData() + "]")
                        .collect(Collectors.joining(" ")))
            .collect(Collectors.joining("\n"));
    return text + "\n---\n" + rows + "\n";
  }

  /** A test resource as text. */
  public static String resource(String name) throws IOException {
    try (InputStream in = Golden.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
