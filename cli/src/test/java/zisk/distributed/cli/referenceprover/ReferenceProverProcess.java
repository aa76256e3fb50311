package zisk.distributed.cli.referenceprover;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import zisk.distributed.cli.Zisk;

/**
 * {@code zisk reference-prover} as a child JVM, driven through its standard input and output the
 * way the worker's native backend drives it. Every line it writes on standard output is kept; a
 * line that is not a JSON object of a known message type is a protocol violation, which {@link
 * #assertOnlyProtocolOnStdout()} reports.
 */
final class ReferenceProverProcess implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(60);
  private static final Set<String> TYPES = Set.of("ready", "progress", "result", "error");

  final ObjectMapper json = new ObjectMapper();
  private final Process process;
  private final OutputStream stdin;
  private final List<JsonNode> messages = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final StringBuilder stderr = new StringBuilder();

  private ReferenceProverProcess(Process process) {
    this.process = process;
    this.stdin = process.getOutputStream();
    daemon("stdout", () -> readStdout(process));
    daemon("stderr", () -> readStderr(process));
  }

  /** Starts the prover with {@code env} added to this JVM's environment. */
  static ReferenceProverProcess start(Map<String, String> env) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            classPath(),
            Zisk.class.getName(),
            "reference-prover");
    builder.environment().putAll(env);
    return new ReferenceProverProcess(builder.start());
  }

  /** Surefire may run tests from a manifest-only jar and put the real class path here. */
  private static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }

  /** Waits for the handshake, which must be the first message, and returns it. */
  JsonNode awaitReady() {
    await().atMost(WAIT).until(() -> !snapshot().isEmpty() || !process.isAlive());
    JsonNode first = snapshot().isEmpty() ? null : snapshot().get(0);
    assertTrue(first != null, "no ready message; stderr:\n" + stderr());
    assertEquals("ready", first.path("type").asText(), first.toString());
    return first;
  }

  /** Sends one request line as it is, whether valid or not. */
  void sendLine(String line) {
    try {
      stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void send(ObjectNode request) {
    sendLine(request.toString());
  }

  ObjectNode request(String type, String id) {
    return json.createObjectNode().put("type", type).put("id", id);
  }

  /** The request's final message (result or error), waiting for it. */
  JsonNode awaitFinal(String id) {
    await("the final message of request " + id)
        .atMost(WAIT)
        .until(() -> finalOf(id).isPresent() || !process.isAlive());
    return finalOf(id)
        .orElseThrow(() -> new AssertionError("the prover died; stderr:\n" + stderr()));
  }

  /** The request's result; fails with the error when it ended with one. */
  JsonNode awaitResult(String id) {
    JsonNode answer = awaitFinal(id);
    assertEquals("result", answer.path("type").asText(), answer.toString());
    return answer;
  }

  /** Waits for the first progress message of a request. */
  void awaitProgress(String id) {
    await("progress of " + id).atMost(WAIT).until(() -> !progressOf(id).isEmpty());
  }

  Optional<JsonNode> finalOf(String id) {
    return snapshot().stream()
        .filter(m -> id.equals(m.path("id").asText(null)))
        .filter(m -> Set.of("result", "error").contains(m.path("type").asText()))
        .findFirst();
  }

  List<JsonNode> progressOf(String id) {
    return snapshot().stream()
        .filter(m -> "progress".equals(m.path("type").asText()))
        .filter(m -> id.equals(m.path("id").asText(null)))
        .toList();
  }

  synchronized List<JsonNode> snapshot() {
    return List.copyOf(messages);
  }

  /** Every message in order (ready excluded), for tests of ordering. */
  List<JsonNode> afterReady() {
    List<JsonNode> all = snapshot();
    return all.subList(1, all.size());
  }

  /** Waits for the process to exit and returns its status. */
  int awaitExit() throws InterruptedException {
    assertTrue(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the prover did not exit");
    return process.exitValue();
  }

  void closeStdin() throws IOException {
    stdin.close();
  }

  synchronized void assertOnlyProtocolOnStdout() {
    assertEquals(List.of(), violations, "lines on stdout that are not protocol messages");
  }

  synchronized String stderr() {
    return stderr.toString();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  private void readStdout(Process process) {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        accept(line);
      }
    } catch (IOException e) {
      // The process ended.
    }
  }

  private synchronized void accept(String line) {
    try {
      JsonNode message = json.readTree(line);
      if (message.isObject() && TYPES.contains(message.path("type").asText())) {
        messages.add(message);
        return;
      }
    } catch (IOException e) {
      // not JSON: a violation
    }
    violations.add(line.length() > 200 ? line.substring(0, 200) + "..." : line);
  }

  private void readStderr(Process process) {
    try (BufferedReader err =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = err.readLine()) != null) {
        synchronized (this) {
          stderr.append(line).append('\n');
        }
      }
    } catch (IOException e) {
      // The process ended.
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, "reference-prover-" + name);
    thread.setDaemon(true);
    thread.start();
  }
}
