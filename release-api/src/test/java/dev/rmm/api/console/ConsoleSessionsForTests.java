package dev.rmm.api.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.api.support.Api;
import io.restassured.response.Response;

/** A console session of the admin token, logged in through the login form as a browser does. */
final class ConsoleSessionsForTests {

  private ConsoleSessionsForTests() {}

  static String adminSession() {
    Response page = given().redirects().follow(false).get("/console/login");
    String html = page.asString();
    int at = html.indexOf("name=\"csrf\" value=\"");
    String csrf = html.substring(at + 19, html.indexOf('"', at + 19));
    Response login =
        given()
            .redirects()
            .follow(false)
            .contentType("application/x-www-form-urlencoded")
            .cookie(
                ConsoleLoginResource.LOGIN_COOKIE,
                page.getCookie(ConsoleLoginResource.LOGIN_COOKIE))
            .formParam("token", Api.ADMIN)
            .formParam("csrf", csrf)
            .post("/console/login/token");
    String cookie = login.getCookie(SessionCookies.NAME);
    assertThat(cookie).as(login.asString()).isNotBlank();
    return cookie;
  }
}
