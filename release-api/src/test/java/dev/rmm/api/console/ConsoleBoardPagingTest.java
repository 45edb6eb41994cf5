package dev.rmm.api.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReadModelStandIn;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.StatusWords;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's board in pages of 50 over HTTP, on the real Postgres read model: the pages walk
 * every release once, newest first, with pager links that keep the filters; each row's trace id is
 * its newest event's; a page that is not one is a 400 page in the reader's language; an empty board
 * says why it is empty and shows no pager.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class ConsoleBoardPagingTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Pattern ROW = Pattern.compile("id=\"release-([^\"]+)\"");

  @Inject Pool pg;

  private ReadModelStandIn readModel;
  private String session;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    readModel = new ReadModelStandIn(pg);
    readModel.create();
    session = ConsoleSession.ofAdmin();
  }

  @AfterEach
  void tearDown() {
    readModel.drop(); // the other tests run without a read model
  }

  /**
   * {@code count} active releases of {@code service} in manual testing, {@code <service>-001} the
   * newest (a minute old), each next one a minute older; approved by {@code approvedList}.
   */
  private void releases(String service, int count, String approvedList) {
    pg.preparedQuery(
            "INSERT INTO read_model.releases (release_id, service_name, release_tag, status,"
                + " outcome, initiated_by, github_run_id, github_action_link, github_ref,"
                + " repository, commit_sha, approved_list, required_approvers, quorum, version,"
                + " created_at, started_at, updated_at)"
                + " SELECT $1 || '-' || lpad(i::text, 3, '0'), $1, 'v1.0.' || i,"
                + " 'manual_testing', 'active', 'ci', '', '', '', 'acme/billing', md5(i::text),"
                + " $3::text::jsonb, '[]'::jsonb, 3, 1, now() - make_interval(mins => i), now(), now()"
                + " FROM generate_series(1, $2) AS i")
        .execute(Tuple.of(service, count, approvedList))
        .await()
        .atMost(WAIT);
  }

  /** A timeline row of {@code releaseId} carrying {@code traceparent}. */
  private void event(String releaseId, long sequence, String traceparent) {
    pg.preparedQuery(
            "INSERT INTO read_model.release_events (release_id, sequence, event_id, type,"
                + " occurred_at, actor_kind, actor_id, traceparent, data, kafka_partition,"
                + " kafka_offset) VALUES ($1, $2, $1 || '-e' || $2, 'release.created.v1', now(),"
                + " 'pipeline', 'ci', $3, '{}'::jsonb, 0, $2)")
        .execute(Tuple.of(releaseId, sequence, traceparent))
        .await()
        .atMost(WAIT);
  }

  private Response board(String query) {
    return given().cookie(SessionCookies.NAME, session).get("/console/board?" + query);
  }

  private static List<String> rows(String html) {
    List<String> out = new ArrayList<>();
    Matcher m = ROW.matcher(html);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static String ids(String service, int from, int to) {
    StringBuilder b = new StringBuilder();
    for (int i = from; i <= to; i++) {
      b.append(b.length() == 0 ? "" : ",").append(String.format("%s-%03d", service, i));
    }
    return b.toString();
  }

  @Test
  void givenMoreThanTwoPagesOfReleases_whenThePagesAreWalked_thenEachReleaseShowsOnceNewestFirst() {
    String service = Api.newService();
    releases(service, 120, "[]");
    String filters = "service=" + service + "&outcome=any&lang=en";

    Response page1 = board(filters);
    assertThat(page1.statusCode()).as(page1.asString()).isEqualTo(200);
    String first = page1.asString();
    String second = board(filters + "&page=2").asString();
    String third = board(filters + "&page=3").asString();

    assertThat(String.join(",", rows(first))).isEqualTo(ids(service, 1, 50));
    assertThat(String.join(",", rows(second))).isEqualTo(ids(service, 51, 100));
    assertThat(String.join(",", rows(third))).isEqualTo(ids(service, 101, 120));
    Set<String> all = new LinkedHashSet<>();
    List.of(first, second, third).forEach(p -> all.addAll(rows(p)));
    assertThat(all).hasSize(120);
    // the pager: where one is, and links that keep the filters
    String keep = "service=" + service + "&amp;outcome=any";
    assertThat(first)
        .contains("Page 1: releases 1–50")
        .contains("href=\"/console/board?" + keep + "&amp;page=2\" id=\"page-next\"")
        .doesNotContain("id=\"page-previous\"");
    assertThat(second)
        .contains("Page 2: releases 51–100")
        .contains("href=\"/console/board?" + keep + "\" id=\"page-previous\"")
        .contains("&amp;page=3\" id=\"page-next\"");
    assertThat(third)
        .contains("Page 3: releases 101–120")
        .contains("&amp;page=2\" id=\"page-previous\"")
        .contains("href=\"/console/board?" + keep + "\" id=\"page-first\"")
        .doesNotContain("id=\"page-next\"");
    assertThat(board("service=" + service + "&outcome=any&lang=ru&page=2").asString())
        .contains("Страница 2: релизы 51–100")
        .contains("← Назад")
        .contains("Дальше →");
    // the live part re-reads the same page
    assertThat(second).contains("data-live-src=\"/console/board/rows?" + keep + "&amp;page=2\"");
    Response rows =
        given()
            .cookie(SessionCookies.NAME, session)
            .get("/console/board/rows?" + filters + "&page=2");
    assertThat(rows.statusCode()).isEqualTo(200);
    assertThat(String.join(",", rows(rows.asString()))).isEqualTo(ids(service, 51, 100));
  }

  @Test
  void givenTimelinesAndApprovals_whenTheBoardIsRead_thenEachRowShowsItsOwnNewestTraceAndWho() {
    String service = Api.newService();
    releases(service, 3, "[{\"id\": 1001, \"name\": \"Alice\"}, {\"id\": 1002, \"name\": null}]");
    String older = "00-" + "a".repeat(32) + "-" + "1".repeat(16) + "-01";
    String newest = "00-" + "b".repeat(32) + "-" + "2".repeat(16) + "-01";
    event(service + "-001", 1, older);
    event(service + "-001", 2, newest);
    event(service + "-002", 1, "00-" + "c".repeat(32) + "-" + "3".repeat(16) + "-01");
    event(service + "-002", 2, null); // its newest event carries no trace

    Response answer = board("lang=en");

    assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
    String html = answer.asString();

    assertThat(rows(html)).containsExactly(service + "-001", service + "-002", service + "-003");
    assertThat(row(html, service + "-001"))
        .contains("b".repeat(32))
        .doesNotContain("a".repeat(32))
        .contains("2/3 <small>Alice, 1002</small>")
        .contains(StatusWords.english(ReleaseStatus.MANUAL_TESTING));
    assertThat(row(html, service + "-002")).doesNotContain("c".repeat(32));
    assertThat(row(html, service + "-003")).doesNotContain("title=\"Trace\"");
  }

  /** The board's {@code <tr>} of {@code releaseId}, as text. */
  private static String row(String html, String releaseId) {
    int at = html.indexOf("id=\"release-" + releaseId + "\"");
    assertThat(at).as(html).isPositive();
    return html.substring(at, html.indexOf("</tr>", at));
  }

  @Test
  void givenPagesThatAreNone_whenAsked_thenA400PageSaysSoInTheReadersLanguage() {
    for (String page : new String[] {"0", "10001", "-1", "abc", "1e3", "+2", "99999999999"}) {
      Response en =
          given()
              .cookie(SessionCookies.NAME, session)
              .queryParam("lang", "en")
              .queryParam("page", page)
              .get("/console/board");
      assertThat(en.statusCode()).as(page).isEqualTo(400);
      assertThat(en.contentType()).as(page).startsWith("text/html");
      assertThat(en.asString())
          .as(page)
          .contains("Not a page: “" + page + "” (pages go from 1 to 10000)")
          .doesNotContain("id=\"board\"");
    }
    Response ru = board("lang=ru&page=x");
    assertThat(ru.statusCode()).isEqualTo(400);
    assertThat(ru.asString()).contains("Нет такой страницы: «x» (страницы идут с 1 по 10000)");
    Response bidi =
        given()
            .cookie(SessionCookies.NAME, session)
            .queryParam("page", "2\u202E")
            .get("/console/board");
    assertThat(bidi.statusCode()).isEqualTo(400);
    assertThat(bidi.asString()).contains("U+202E").doesNotContain("\u202E");
    for (String hostile : new String[] {"1\u0000", "$(reboot)'\"<b>x</b>", "9".repeat(3000)}) {
      Response r =
          given()
              .cookie(SessionCookies.NAME, session)
              .queryParam("lang", "en")
              .queryParam("page", hostile)
              .get("/console/board");
      assertThat(r.statusCode()).as(hostile).isEqualTo(400);
      assertThat(r.asString())
          .as(hostile)
          .contains("Not a page")
          .doesNotContain("\u0000")
          .doesNotContain("<b>x</b>")
          .doesNotContain("id=\"board\"");
    }
    Response rows =
        given().cookie(SessionCookies.NAME, session).get("/console/board/rows?lang=en&page=0");
    assertThat(rows.statusCode()).isEqualTo(400);
    assertThat(rows.asString()).contains("Not a page: “0”");
    Response status = board("lang=en&status=shipped");
    assertThat(status.statusCode()).isEqualTo(400);
    assertThat(status.asString()).contains("status must be one of");
    // the last page there is, and an empty one past the releases
    Response last = board("lang=en&page=10000");
    assertThat(last.statusCode()).isEqualTo(200);
    assertThat(last.asString())
        .contains("No releases on page 10000: it lies past the last one")
        .contains("id=\"page-first\"");
  }

  @Test
  void givenNoRelease_whenTheBoardIsRead_thenItSaysNothingIsInProgressAndShowsNoPager() {
    Response en = board("lang=en");
    Response ru = board("lang=ru");
    Response narrowed = board("lang=en&q=v9.9.9");

    assertThat(en.statusCode()).isEqualTo(200);
    assertThat(en.asString())
        .contains("<p class=\"empty\" id=\"board-empty\">No release is in progress now</p>")
        .doesNotContain("id=\"pager\"")
        .doesNotContain("<section class=\"service\"")
        .doesNotContain("No release matches");
    assertThat(ru.asString())
        .contains("Активных релизов сейчас нет")
        .contains(StatusWords.russian(ReleaseStatus.MANUAL_TESTING));
    assertThat(narrowed.asString()).contains("No release matches").doesNotContain("id=\"pager\"");
  }
}
