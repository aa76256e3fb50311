package zisk.distributed.worker.referenceprover;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Writes the prover's messages to standard output: one compact JSON object a line, flushed at once
 * so the worker sees each message as it is sent. Writes from the request thread and the reader
 * thread are serialized, so lines never interleave.
 */
final class MessageWriter {

  private final ObjectMapper json;
  private final OutputStream out;

  MessageWriter(ObjectMapper json, OutputStream out) {
    this.json = json;
    this.out = out;
  }

  ObjectNode message(String type, String id) {
    ObjectNode message = json.createObjectNode().put("type", type);
    if (!"ready".equals(type)) {
      message.put("id", id);
    }
    return message;
  }

  void ready(String name, String version, boolean softCancel) {
    ObjectNode ready = message("ready", null);
    ready.put("protocol", 1).put("name", name).put("version", version);
    ready.put("soft_cancel", softCancel);
    write(ready);
  }

  void progress(String id, double fraction, String text) {
    write(message("progress", id).put("fraction", fraction).put("message", text));
  }

  void error(String id, ErrorCode code, String text, boolean fatal) {
    write(errorMessage(id, code, text, fatal));
  }

  ObjectNode errorMessage(String id, ErrorCode code, String text, boolean fatal) {
    ObjectNode error = message("error", id).put("code", code.name()).put("message", text);
    return error.put("fatal", fatal);
  }

  /** Writes {@code message} and a newline, then flushes; the JSON itself never holds a newline. */
  synchronized void write(ObjectNode message) {
    try {
      out.write(json.writeValueAsBytes(message));
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      // The worker closed our standard output: nobody reads our answers any more.
      throw new UncheckedIOException("standard output is closed", e);
    }
  }
}
