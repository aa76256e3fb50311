package zisk.distributed.worker.prover.nativeprover;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prover for tests, written from the contract alone (JDK only, no project code): {@code java -cp
 * <test classes> ...FakeProver MODE}. Modes: {@code normal} answers every request; {@code garbage}
 * answers the first contribute with a line that is not protocol; {@code hang} starts a grandchild
 * in its own session ({@code setsid sleep 1000}), writes "its pid, the grandchild's pid" to {@code
 * FAKE_PIDS} and then ignores everything, cancel included; {@code big} answers contribute with
 * {@code FAKE_RESULT_BYTES} bytes of values; {@code unknown-id} answers contribute with another id;
 * {@code fatal} answers it with a fatal error; {@code protocol-2} says it speaks protocol 2.
 *
 * <p>Environment: {@code FAKE_STARTS} (a file that gets one line per start), {@code
 * FAKE_FAIL_STARTS} (exit 3 before ready while no more than that many starts happened), {@code
 * FAKE_READY_GATE} (a file to wait for before ready), {@code FAKE_SHUTDOWN_MARKER} (written on
 * shutdown).
 */
public final class FakeProver {

  private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"([^\"]*)\"|(\\d+))");

  private FakeProver() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "normal";
    PrintStream out =
        new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
            false,
            StandardCharsets.UTF_8);
    System.err.println(
        "starting: CUDA_VISIBLE_DEVICES="
            + System.getenv("CUDA_VISIBLE_DEVICES")
            + " ZISK_PROVER_ID="
            + System.getenv("ZISK_PROVER_ID")
            + " FAKE_EXTRA="
            + System.getenv("FAKE_EXTRA"));
    int starts = countStart();
    String failStarts = System.getenv("FAKE_FAIL_STARTS");
    if (failStarts != null && starts <= Integer.parseInt(failStarts)) {
      System.err.println("cannot load the proving key (start " + starts + ")");
      System.exit(3);
    }
    String gate = System.getenv("FAKE_READY_GATE");
    while (gate != null && !Files.exists(Path.of(gate))) {
      Thread.sleep(20);
    }
    out.print(
        "{\"type\":\"ready\",\"protocol\":"
            + (mode.equals("protocol-2") ? 2 : 1)
            + ",\"name\":\"fake\",\"version\":\"0.1\",\"soft_cancel\":true}\n");
    out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    boolean hanging = false;
    while ((line = in.readLine()) != null) {
      if (hanging) {
        continue;
      }
      String type = field(line, "type");
      String id = field(line, "id");
      switch (type) {
        case "contribute" -> {
          if (mode.equals("garbage")) {
            out.print("this is not protocol {oops}\n");
            out.flush();
            continue;
          }
          if (mode.equals("unknown-id")) {
            out.print("{\"type\":\"result\",\"id\":\"not-" + id + "\",\"challenges\":[]}\n");
            out.flush();
            continue;
          }
          if (mode.equals("fatal")) {
            out.print(
                "{\"type\":\"error\",\"id\":\""
                    + id
                    + "\",\"code\":\"PROVER_FAILED\",\"message\":\"GPU lost\",\"fatal\":true}\n");
            out.flush();
            continue;
          }
          if (mode.equals("hang")) {
            hang();
            hanging = true;
            continue;
          }
          progress(out, id);
          long rank = Long.parseLong(field(line, "rank_id"));
          if (mode.equals("big")) {
            big(out, id, rank, Long.parseLong(System.getenv("FAKE_RESULT_BYTES")));
            continue;
          }
          long size = Files.size(Path.of(field(line, "input_path")));
          out.print(
              "{\"type\":\"result\",\"id\":\""
                  + id
                  + "\",\"challenges\":[{\"prover_index\":"
                  + rank
                  + ",\"airgroup_id\":0,\"values\":\""
                  + words(size, rank + 1)
                  + "\"}]}\n");
        }
        case "prove" -> {
          progress(out, id);
          out.print(
              "{\"id\":\""
                  + id
                  + "\",\"proofs\":[{\"values\":\""
                  + words(7)
                  + "\",\"airgroup_id\":18446744073709551615,\"prover_index\":1}],\"type\":\"result\"}\n");
        }
        case "aggregate" ->
            out.print(
                "{\"type\":\"result\",\"id\":\""
                    + id
                    + "\",\"final_proofs\":[{\"values\":\""
                    + words(42)
                    + "\"}]}\n");
        case "cancel" -> out.print("{\"type\":\"result\",\"id\":\"" + id + "\"}\n");
        case "shutdown" -> {
          String marker = System.getenv("FAKE_SHUTDOWN_MARKER");
          if (marker != null) {
            Files.writeString(Path.of(marker), "shutdown\n");
          }
          System.exit(0);
        }
        default ->
            out.print(
                "{\"type\":\"error\",\"id\":\""
                    + id
                    + "\",\"code\":\"BAD_REQUEST\",\"message\":\"unknown type\",\"fatal\":false}\n");
      }
      out.flush();
    }
  }

  private static void progress(PrintStream out, String id) {
    out.print(
        "{\"type\":\"progress\",\"id\":\"" + id + "\",\"fraction\":0.5,\"message\":\"halfway\"}\n");
  }

  /** Starts a grandchild in a session of its own and never answers again. */
  private static void hang() throws IOException {
    Process sleeper = new ProcessBuilder("setsid", "sleep", "1000").start();
    String pids = ProcessHandle.current().pid() + " " + sleeper.pid() + "\n";
    Path file = Path.of(System.getenv("FAKE_PIDS"));
    Path partial = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(partial, pids);
    Files.move(partial, file);
    System.err.println("hanging; ignoring everything from now on");
  }

  /** A contribution of {@code bytes} bytes, base64-encoded straight to stdout. */
  private static void big(PrintStream out, String id, long rank, long bytes) throws IOException {
    out.print(
        "{\"type\":\"result\",\"id\":\""
            + id
            + "\",\"challenges\":[{\"prover_index\":"
            + rank
            + ",\"airgroup_id\":0,\"values\":\"");
    out.flush();
    OutputStream encoder =
        Base64.getEncoder()
            .wrap(
                new FilterOutputStream(out) {
                  @Override
                  public void write(byte[] bytes, int from, int length) throws IOException {
                    out.write(bytes, from, length);
                  }

                  @Override
                  public void close() throws IOException {
                    flush();
                  }
                });
    byte[] chunk = new byte[1 << 16];
    ByteBuffer words = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    long written = 0;
    long word = 0;
    while (written < bytes) {
      words.clear();
      while (words.hasRemaining()) {
        words.putLong(word++);
      }
      int n = (int) Math.min(chunk.length, bytes - written);
      encoder.write(chunk, 0, n);
      written += n;
    }
    encoder.close();
    out.print("\"}]}\n");
    out.flush();
  }

  private static String words(long... values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long value : values) {
      bytes.putLong(value);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private static String field(String line, String name) {
    Matcher matcher = FIELD.matcher(line);
    while (matcher.find()) {
      if (matcher.group(1).equals(name)) {
        return matcher.group(3) != null ? matcher.group(3) : matcher.group(4);
      }
    }
    return "";
  }

  private static int countStart() throws IOException {
    String file = System.getenv("FAKE_STARTS");
    if (file == null) {
      return 1;
    }
    Files.writeString(
        Path.of(file),
        ProcessHandle.current().pid() + " " + System.currentTimeMillis() + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    return (int) Files.lines(Path.of(file)).count();
  }
}
