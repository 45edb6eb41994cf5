package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.TextRules.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextRulesTest {

  @Test
  void givenANul_whenChecked_thenTheFieldAndCodePointAreNamed() {
    assertThat(TextRules.check("tag", "v1\u0000.0", Kind.LINE))
        .contains("'tag' contains the control character U+0000");
  }

  @ParameterizedTest
  @ValueSource(ints = {0x01, 0x0A, 0x09, 0x0D, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9F})
  void givenAnyC0C1OrDel_whenCheckedAsALine_thenItIsRefused(int cp) {
    String value = "a" + Character.toString(cp) + "b";
    assertThat(TextRules.check("name", value, Kind.LINE))
        .contains("'name' contains the control character " + TextRules.codePoint(cp));
    assertThat(TextRules.allows(value, Kind.LINE)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      ints = {
        0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068,
        0x2069
      })
  void givenABidiControl_whenChecked_thenItIsRefusedEvenInFreeText(int cp) {
    String value = "ok" + Character.toString(cp);
    assertThat(TextRules.check("reason", value, Kind.FREE_TEXT))
        .contains(
            "'reason' contains the bidirectional control character " + TextRules.codePoint(cp));
  }

  @Test
  void givenFreeText_whenItHoldsLineFeedsAndTabs_thenItIsAllowed_butNotCarriageReturns() {
    assertThat(TextRules.check("reason", "line one\n\tline two", Kind.FREE_TEXT)).isEmpty();
    assertThat(TextRules.check("reason", "a\r\nb", Kind.FREE_TEXT))
        .contains("'reason' contains the control character U+000D");
    assertThat(TextRules.check("tag", "a\nb", Kind.LINE))
        .contains("'tag' contains the control character U+000A");
  }

  @Test
  void givenUnpairedSurrogates_whenChecked_thenTheyAreRefused() {
    assertThat(TextRules.check("tag", "v\uD800", Kind.LINE))
        .contains("'tag' contains the unpaired surrogate U+D800");
    assertThat(TextRules.check("tag", "\uDC00v", Kind.LINE))
        .contains("'tag' contains the unpaired surrogate U+DC00");
    assertThat(TextRules.check("tag", "\uD800\uD800\uDC00", Kind.LINE))
        .contains("'tag' contains the unpaired surrogate U+D800");
  }

  @Test
  void givenPrintableTextOfAnyScript_whenChecked_thenItIsAllowed() {
    for (String ok :
        new String[] {
          "", "v1.2.3", "Zoë", "שלום", "مرحبا", "日本語", "🚀 rocket", "a b", "\u00A0", "x\u200Bx"
        }) {
      assertThat(TextRules.check("f", ok, Kind.LINE)).as(ok).isEmpty();
    }
    assertThat(TextRules.check("f", null, Kind.LINE)).isEmpty();
  }

  @Test
  void givenForbiddenCharacters_whenEscaped_thenTheyAreWrittenAsCodePointsAndTheRestKept() {
    assertThat(TextRules.escape("a\u0000b\u202E🚀\uD800c\n"))
        .isEqualTo("aU+0000bU+202E🚀U+D800cU+000A");
    assertThat(TextRules.escape("plain")).isEqualTo("plain");
    assertThat(TextRules.escape(null)).isNull();
  }

  @Test
  void givenARefusal_whenItIsWorded_thenItNeverHoldsTheCharacterItself() {
    String hostile = "\u202Egpj.exe";
    assertThat(TextRules.check("tag", hostile, Kind.LINE).orElseThrow())
        .doesNotContain("\u202E")
        .satisfies(m -> assertThat(TextRules.allows(m, Kind.LINE)).isTrue());
  }
}
