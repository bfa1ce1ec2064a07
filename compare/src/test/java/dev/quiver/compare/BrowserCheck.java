package dev.quiver.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Opens a report in Debian's headless chromium (installed by scripts/chromium-setup.sh) and reads
 * back the DOM after its scripts ran. A collector injected before the page's own scripts writes
 * every script error into the DOM; one injected after them counts the canvases with pixels drawn.
 */
final class BrowserCheck {

  record Result(String dom, String errors, int chartsRendered, int canvases, int paintedCanvases) {}

  private static final String COLLECTOR = "<script>window.__errors=[];function __record(m){window.__errors.push(String(m));"
      + "document.documentElement.setAttribute('data-errors',window.__errors.join(' | '));}"
      + "window.addEventListener('error',function(e){__record(e.message);});"
      + "window.addEventListener('unhandledrejection',function(e){__record(e.reason);});</script>";

  private static final String PAINT_CHECK = "<script>window.addEventListener('load',function(){setTimeout(function(){"
      + "var n=0,cs=document.querySelectorAll('canvas');cs.forEach(function(c){try{"
      + "var d=c.getContext('2d').getImageData(0,0,c.width,c.height).data;"
      + "for(var i=3;i<d.length;i+=4){if(d[i]!==0){n++;break;}}}catch(e){__record(e.message);}});"
      + "document.body.setAttribute('data-painted',String(n));"
      + "document.body.setAttribute('data-canvases',String(cs.length));},200);});</script>";

  private BrowserCheck() {}

  static Result render(Path html, Path work) throws IOException, InterruptedException {
    String chromium = install();
    Files.createDirectories(work);
    String page = Files.readString(html, StandardCharsets.UTF_8);
    page = page.replaceFirst("<head>", "<head>" + COLLECTOR.replace("$", "\\$"));
    int end = page.lastIndexOf("</body>");
    page = page.substring(0, end) + PAINT_CHECK + page.substring(end);
    Path checked = work.resolve("report-checked.html");
    Files.writeString(checked, page, StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + work.resolve("profile"), "--virtual-time-budget=10000",
        "--window-size=1280,2000", "--dump-dom", checked.toUri().toString()));
    Path dom = work.resolve("dom.html");
    Process p = new ProcessBuilder(cmd).redirectOutput(dom.toFile()).redirectError(work.resolve("chromium.log").toFile())
        .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("chromium did not finish within 120 s; log: " + work.resolve("chromium.log"));
    }
    String text = Files.readString(dom, StandardCharsets.UTF_8);
    if (p.exitValue() != 0 || text.isBlank()) {
      throw new IllegalStateException("chromium exited with " + p.exitValue() + ": "
          + Files.readString(work.resolve("chromium.log"), StandardCharsets.UTF_8));
    }
    return new Result(text, attribute(text, "data-errors", ""), Integer.parseInt(attribute(text, "data-charts-rendered", "0")),
        Integer.parseInt(attribute(text, "data-canvases", "0")), Integer.parseInt(attribute(text, "data-painted", "0")));
  }

  private static String attribute(String dom, String name, String missing) {
    Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(dom);
    return m.find() ? m.group(1) : missing;
  }

  /** Runs the project's setup script; skips the test, saying why, only when chromium cannot be installed. */
  private static String install() throws IOException, InterruptedException {
    Path script = Path.of("..", "scripts", "chromium-setup.sh").toAbsolutePath().normalize();
    Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();
    String last = output.strip().lines().reduce((a, b) -> b).orElse("");
    if (code != 0 || last.isEmpty()) {
      System.out.println("BrowserCheck: SKIPPED, chromium cannot be installed here: " + output.strip());
      Assumptions.abort("chromium cannot be installed: " + output.strip());
    }
    return last;
  }
}
