package dev.rmm.gateway.bot;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The /stats chart is a real PNG whose bars follow the days' deployments. */
class StatsChartTest {

  @Test
  void givenDeploymentsOnTwoDays_whenDrawn_thenAPngWithTheBusierDaysBarTheTallest()
      throws IOException {
    long[] perDay = new long[30];
    perDay[3] = 1;
    perDay[20] = 4;

    BufferedImage image = ImageIO.read(new ByteArrayInputStream(StatsChart.png(perDay)));

    assertThat(image.getWidth()).isEqualTo(StatsChart.WIDTH);
    assertThat(image.getHeight()).isEqualTo(StatsChart.HEIGHT);
    assertThat(barHeight(image, 20)).isGreaterThan(3 * barHeight(image, 3));
    assertThat(barHeight(image, 3)).isPositive();
    assertThat(barHeight(image, 10)).isZero();
  }

  @Test
  void givenNoDeployments_whenDrawn_thenAnEmptyChartStillDraws() throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(StatsChart.png(new long[30])));
    assertThat(barHeight(image, 15)).isZero();
  }

  /** How many pixels of the day's column, above the axis, are the bar's green. */
  private static int barHeight(BufferedImage image, int day) {
    double slot = (StatsChart.WIDTH - 40) / 30.0;
    int x = 20 + (int) Math.round(day * slot + slot / 2);
    int green = 0;
    for (int y = 0; y < StatsChart.HEIGHT - 22; y++) {
      if ((image.getRGB(x, y) & 0xFFFFFF) == 0x2E7D32) {
        green++;
      }
    }
    return green;
  }
}
