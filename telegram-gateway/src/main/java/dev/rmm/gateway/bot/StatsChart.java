package dev.rmm.gateway.bot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * The small chart of {@code /stats}: deployments per day as bars, drawn by the gateway itself (Java
 * 2D, no chart service, nothing to download) into a PNG for sendPhoto. It holds no text: the
 * photo's caption carries the figures in the user's language, and a machine without fonts (a slim
 * container) draws it as well.
 */
final class StatsChart {

  static final int WIDTH = 600;
  static final int HEIGHT = 240;
  private static final int MARGIN = 20;
  private static final Color BACKGROUND = new Color(0xFA, 0xFA, 0xFA);
  private static final Color BAR = new Color(0x2E, 0x7D, 0x32);
  private static final Color AXIS = new Color(0x75, 0x75, 0x75);
  private static final Color GRID = new Color(0xE0, 0xE0, 0xE0);

  private StatsChart() {}

  /** Bars of {@code perDay} (the oldest day left), scaled to the busiest day; a PNG. */
  static byte[] png(long[] perDay) {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      int plotWidth = WIDTH - 2 * MARGIN;
      int plotHeight = HEIGHT - 2 * MARGIN;
      int bottom = HEIGHT - MARGIN;
      long max = 1;
      for (long n : perDay) {
        max = Math.max(max, n);
      }
      g.setColor(GRID);
      for (int i = 1; i <= 3; i++) { // quarter lines of the busiest day
        int y = bottom - plotHeight * i / 4;
        g.drawLine(MARGIN, y, WIDTH - MARGIN, y);
      }
      double slot = (double) plotWidth / Math.max(1, perDay.length);
      int barWidth = Math.max(1, (int) Math.floor(slot * 0.7));
      g.setColor(BAR);
      for (int i = 0; i < perDay.length; i++) {
        int h = (int) Math.round((double) plotHeight * perDay[i] / max);
        if (perDay[i] > 0 && h < 2) {
          h = 2; // a day with a deploy is never invisible
        }
        int x = MARGIN + (int) Math.round(i * slot + (slot - barWidth) / 2);
        g.fillRect(x, bottom - h, barWidth, h);
      }
      g.setColor(AXIS);
      g.setStroke(new BasicStroke(2));
      g.drawLine(MARGIN, bottom, WIDTH - MARGIN, bottom);
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException("a PNG could not be written to memory", e);
    }
    return out.toByteArray();
  }
}
