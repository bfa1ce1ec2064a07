package dev.quiver.example.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless chromium (installed by scripts/chromium-setup.sh, as the compare module's browser
 * test does), driven over the Chrome DevTools Protocol: the test types into the page with real key
 * events, reads the DOM back and takes screenshots. No WebDriver: the protocol is JSON over a
 * WebSocket, which the JDK's HTTP client speaks.
 */
final class Chromium implements AutoCloseable {

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private Chromium(Process process, WebSocket socket) {
    this.process = process;
    this.socket = socket;
  }

  /** Starts chromium with a blank page and attaches to it; skips the test (saying why) when chromium cannot be installed. */
  static Chromium start(Path work) throws Exception {
    String binary = install();
    Files.createDirectories(work);
    Path profile = work.resolve("profile");
    Process p = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", "--user-data-dir=" + profile,
        "--window-size=1200,900", "about:blank")
        .redirectErrorStream(true).redirectOutput(work.resolve("chromium.log").toFile()).start();
    Path portFile = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException("chromium did not open its DevTools port: " + Files.readString(work.resolve("chromium.log")));
      }
      Thread.sleep(50);
    }
    int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
    HttpClient http = HttpClient.newHttpClient();
    String pageSocket = null;
    while (pageSocket == null) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
          HttpResponse.BodyHandlers.ofString());
      for (JsonNode target : Http.JSON.readTree(r.body())) {
        if ("page".equals(target.path("type").asText())) {
          pageSocket = target.get("webSocketDebuggerUrl").asText();
        }
      }
      if (pageSocket == null) {
        if (System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new IllegalStateException("chromium shows no page target: " + r.body());
        }
        Thread.sleep(50);
      }
    }
    Chromium[] self = new Chromium[1];
    StringBuilder partial = new StringBuilder();
    WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          String message = partial.toString();
          partial.setLength(0);
          self[0].receive(message);
        }
        socket.request(1);
        return null;
      }
    }).get(30, TimeUnit.SECONDS);
    self[0] = new Chromium(p, ws);
    return self[0];
  }

  private void receive(String message) {
    try {
      JsonNode n = Http.JSON.readTree(message);
      if (n.has("id")) {
        CompletableFuture<JsonNode> f = pending.remove(n.get("id").asInt());
        if (f != null) {
          f.complete(n);
        }
      }
    } catch (IOException e) {
      pending.values().forEach(f -> f.completeExceptionally(e));
    }
  }

  /** Sends a DevTools command and waits for its result. */
  JsonNode call(String method, Map<String, ?> params) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    ObjectNode msg = Http.JSON.createObjectNode().put("id", id).put("method", method);
    msg.set("params", Http.JSON.valueToTree(params));
    socket.sendText(msg.toString(), true).join();
    try {
      JsonNode answer = f.get(60, TimeUnit.SECONDS);
      if (answer.has("error")) {
        throw new IllegalStateException(method + " failed: " + answer.get("error"));
      }
      return answer.get("result");
    } catch (Exception e) {
      throw new IllegalStateException(method + ": " + e, e);
    }
  }

  /** Evaluates JavaScript in the page and returns its value (awaiting a promise). */
  JsonNode eval(String expression) {
    JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
    if (r.has("exceptionDetails")) {
      throw new IllegalStateException("script failed: " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** Evaluates an expression until it is true. */
  void waitFor(String condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!eval("Boolean(" + condition + ")").asBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the page never got to: " + condition + "; body: " + eval("document.body.innerText").asText());
      }
      Thread.sleep(100);
    }
  }

  void navigate(String url) {
    call("Page.enable", Map.of());
    call("Page.navigate", Map.of("url", url));
  }

  /** Types text into the focused element, as a person would: one key event per character. */
  void type(String text) {
    for (int i = 0; i < text.length(); i++) {
      String ch = String.valueOf(text.charAt(i));
      call("Input.dispatchKeyEvent", Map.of("type", "keyDown", "text", ch, "key", ch, "unmodifiedText", ch));
      call("Input.dispatchKeyEvent", Map.of("type", "keyUp", "key", ch));
    }
  }

  void pressEnter() {
    call("Input.dispatchKeyEvent", Map.of("type", "keyDown", "key", "Enter", "code", "Enter", "text", "\r",
        "windowsVirtualKeyCode", 13, "nativeVirtualKeyCode", 13));
    call("Input.dispatchKeyEvent", Map.of("type", "keyUp", "key", "Enter", "code", "Enter",
        "windowsVirtualKeyCode", 13, "nativeVirtualKeyCode", 13));
  }

  /** Clicks the middle of the element the selector finds, with real mouse events. */
  void click(String selector) {
    JsonNode box = eval("(function(){var r=document.querySelector(" + Http.JSON.valueToTree(selector)
        + ").getBoundingClientRect();return {x:r.left+r.width/2,y:r.top+r.height/2};})()");
    for (String type : List.of("mousePressed", "mouseReleased")) {
      call("Input.dispatchMouseEvent", Map.of("type", type, "x", box.get("x").asDouble(), "y", box.get("y").asDouble(),
          "button", "left", "clickCount", 1));
    }
  }

  /** Saves a PNG of the page as it is now. */
  Path screenshot(Path file) throws IOException {
    JsonNode r = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getDecoder().decode(r.get("data").asText()));
    return file;
  }

  @Override
  public void close() {
    try {
      socket.abort();
    } finally {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  /** Runs the project's setup script; skips the test, saying why, only when chromium cannot be installed. */
  private static String install() throws IOException, InterruptedException {
    Path script = Path.of("..", "..", "scripts", "chromium-setup.sh").toAbsolutePath().normalize();
    Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();
    String last = output.strip().lines().reduce((a, b) -> b).orElse("");
    if (code != 0 || last.isEmpty()) {
      System.out.println("Chromium: SKIPPED, chromium cannot be installed here: " + output.strip());
      Assumptions.abort("chromium cannot be installed: " + output.strip());
    }
    return last;
  }
}
