package zisk.distributed.worker.prover.nativeprover;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.math.BigInteger;
import java.util.function.LongConsumer;
import zisk.distributed.api.v1.Challenges;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.FinalProof;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.Proof;
import zisk.distributed.api.v1.ProofList;

/**
 * Reads the prover's messages from stdout, one line each, as a stream: a {@code values} string is
 * decoded from base64 straight into the words of the protobuf result being built, so a proof is
 * held once, as words, and never as a line, a string or a byte array.
 *
 * <p>Fields may come in any order; unknown fields are skipped. Every other string is bounded (a
 * line of a gigabyte of "message" cannot exhaust memory), and so is the nesting.
 */
final class ReplyParser {

  /** Longest string other than {@code values}, in characters. */
  static final int MAX_STRING = 64 * 1024;

  /** Most words in one message: far above a real proof, far below what a heap could not hold. */
  static final long MAX_WORDS = 128L * 1024 * 1024;

  private static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS;
  private static final BigInteger UINT64_MAX =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final JsonFactory json =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxStringLength(MAX_STRING)
                  .maxNestingDepth(8)
                  .maxNumberLength(40)
                  .build())
          .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
          .build()
          .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);

  private final LineInput line;

  /** Words decoded in the current message. */
  private long words;

  ReplyParser(LineInput line) {
    this.line = line;
  }

  /**
   * The next message.
   *
   * @return null when stdout is closed
   * @throws ProtocolViolation when the line is not one JSON object of a known type
   */
  ProverReply next() throws IOException, ProtocolViolation {
    if (!line.nextLine()) {
      return null;
    }
    words = 0;
    try {
      ProverReply reply = parse();
      if (!line.endedWithNewline()) {
        throw new ProtocolViolation("stdout closed in the middle of a line", line.head());
      }
      return reply;
    } catch (JsonProcessingException e) {
      throw new ProtocolViolation(
          "not a JSON message (" + firstLine(e.getOriginalMessage()) + ")", line.head());
    }
  }

  private ProverReply parse() throws IOException, ProtocolViolation {
    Fields fields = new Fields();
    try (JsonParser parser = json.createParser(line)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new ProtocolViolation("not a JSON object", line.head());
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        read(parser, name, value, fields);
      }
      if (parser.nextToken() != null) {
        throw new ProtocolViolation("more than one JSON value on a line", line.head());
      }
    }
    return fields.build(line);
  }

  private void read(JsonParser parser, String name, JsonToken value, Fields fields)
      throws IOException, ProtocolViolation {
    switch (name) {
      case "type" -> fields.type = string(parser, value, name);
      case "id" -> fields.id = string(parser, value, name);
      case "name" -> fields.name = string(parser, value, name);
      case "version" -> fields.version = string(parser, value, name);
      case "code" -> fields.code = string(parser, value, name);
      case "message" -> fields.message = string(parser, value, name);
      case "protocol" -> fields.protocol = (int) unsigned(parser, value, name, Integer.MAX_VALUE);
      case "soft_cancel" -> fields.softCancel = bool(parser, value, name);
      case "fatal" -> fields.fatal = bool(parser, value, name);
      case "fraction" -> fields.fraction = fraction(parser, value);
      case "challenges" -> fields.challenges = challenges(parser, value);
      case "proofs" -> fields.proofs = proofs(parser, value);
      case "final_proofs" -> fields.finalProofs = finalProofs(parser, value);
      default -> parser.skipChildren();
    }
  }

  private ChallengesList challenges(JsonParser parser, JsonToken value)
      throws IOException, ProtocolViolation {
    ChallengesList.Builder list = ChallengesList.newBuilder();
    array(parser, value, "challenges");
    while (parser.nextToken() == JsonToken.START_OBJECT) {
      Challenges.Builder entry = Challenges.newBuilder();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        switch (name) {
          case "prover_index" -> entry.setProverIndex(uint32(parser, token, name));
          case "airgroup_id" -> entry.setAirgroupId(uint32(parser, token, name));
          case "values" -> values(parser, token, entry::addChallenge);
          default -> parser.skipChildren();
        }
      }
      list.addChallenges(entry);
    }
    endOfArray(parser, "challenges");
    return list.build();
  }

  private ProofList proofs(JsonParser parser, JsonToken value)
      throws IOException, ProtocolViolation {
    ProofList.Builder list = ProofList.newBuilder();
    array(parser, value, "proofs");
    while (parser.nextToken() == JsonToken.START_OBJECT) {
      Proof.Builder entry = Proof.newBuilder();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        switch (name) {
          case "prover_index" -> entry.setProverIndex(uint32(parser, token, name));
          case "airgroup_id" -> entry.setAirgroupId(unsigned(parser, token, name, -1));
          case "values" -> values(parser, token, entry::addValues);
          default -> parser.skipChildren();
        }
      }
      list.addProofs(entry);
    }
    endOfArray(parser, "proofs");
    return list.build();
  }

  private FinalProofList finalProofs(JsonParser parser, JsonToken value)
      throws IOException, ProtocolViolation {
    FinalProofList.Builder list = FinalProofList.newBuilder();
    array(parser, value, "final_proofs");
    while (parser.nextToken() == JsonToken.START_OBJECT) {
      FinalProof.Builder entry = FinalProof.newBuilder();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        JsonToken token = parser.nextToken();
        if (parser.currentName().equals("values")) {
          values(parser, token, entry::addValues);
        } else {
          parser.skipChildren();
        }
      }
      list.addFinalProofs(entry);
    }
    endOfArray(parser, "final_proofs");
    return list.build();
  }

  /** Decodes a base64 string of little-endian words straight into {@code into}. */
  private void values(JsonParser parser, JsonToken token, LongConsumer into)
      throws IOException, ProtocolViolation {
    if (token != JsonToken.VALUE_STRING) {
      throw new ProtocolViolation("values must be a base64 string", line.head());
    }
    Words.Sink sink =
        new Words.Sink(
            word -> {
              if (++words > MAX_WORDS) {
                throw new TooManyWords();
              }
              into.accept(word);
            });
    try {
      parser.readBinaryValue(BASE64, sink);
    } catch (TooManyWords e) {
      throw new ProtocolViolation("more than " + MAX_WORDS + " words in one message", line.head());
    }
    if (!sink.whole()) {
      throw new ProtocolViolation("values is not a whole number of 8-byte words", line.head());
    }
  }

  private void array(JsonParser parser, JsonToken value, String name) throws ProtocolViolation {
    if (value != JsonToken.START_ARRAY) {
      throw new ProtocolViolation(name + " must be an array", line.head());
    }
  }

  private void endOfArray(JsonParser parser, String name) throws ProtocolViolation {
    if (parser.currentToken() != JsonToken.END_ARRAY) {
      throw new ProtocolViolation(name + " must be an array of objects", line.head());
    }
  }

  private String string(JsonParser parser, JsonToken value, String name)
      throws IOException, ProtocolViolation {
    if (value != JsonToken.VALUE_STRING) {
      throw new ProtocolViolation(name + " must be a string", line.head());
    }
    return parser.getText();
  }

  private boolean bool(JsonParser parser, JsonToken value, String name) throws ProtocolViolation {
    if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
      throw new ProtocolViolation(name + " must be true or false", line.head());
    }
    return value == JsonToken.VALUE_TRUE;
  }

  private double fraction(JsonParser parser, JsonToken value)
      throws IOException, ProtocolViolation {
    if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
      throw new ProtocolViolation("fraction must be a number", line.head());
    }
    return parser.getDoubleValue();
  }

  private int uint32(JsonParser parser, JsonToken value, String name)
      throws IOException, ProtocolViolation {
    return (int) unsigned(parser, value, name, 0xffff_ffffL);
  }

  /**
   * A whole number from 0 to {@code max}, or to 2^64-1 (as a signed long's bits) when {@code max}
   * is -1.
   */
  private long unsigned(JsonParser parser, JsonToken value, String name, long max)
      throws IOException, ProtocolViolation {
    if (value != JsonToken.VALUE_NUMBER_INT) {
      throw new ProtocolViolation(name + " must be a whole number", line.head());
    }
    BigInteger number = parser.getBigIntegerValue();
    BigInteger limit = max < 0 ? UINT64_MAX : BigInteger.valueOf(max);
    if (number.signum() < 0 || number.compareTo(limit) > 0) {
      throw new ProtocolViolation(name + " is out of range", line.head());
    }
    return number.longValue();
  }

  private static String firstLine(String text) {
    String first = text == null ? "" : text.lines().findFirst().orElse("");
    return first.length() > 120 ? first.substring(0, 120) + "…" : first;
  }

  /** Stops decoding a message with too many words (unchecked, to get out of the parser). */
  private static final class TooManyWords extends RuntimeException {
    TooManyWords() {
      super(null, null, false, false);
    }
  }

  /** What one line said, checked against its type by {@link #build}. */
  private static final class Fields {
    String type;
    String id;
    String name = "";
    String version = "";
    String code = "";
    String message = "";
    int protocol = -1;
    Boolean softCancel;
    boolean fatal;
    double fraction = Double.NaN;
    ChallengesList challenges;
    ProofList proofs;
    FinalProofList finalProofs;

    ProverReply build(LineInput line) throws ProtocolViolation {
      if (type == null) {
        throw new ProtocolViolation("a message without a type", line.head());
      }
      if (!type.equals("ready") && id == null) {
        throw new ProtocolViolation("a " + type + " message without an id", line.head());
      }
      return switch (type) {
        case "ready" -> {
          if (protocol < 0 || softCancel == null) {
            throw new ProtocolViolation("ready needs protocol and soft_cancel", line.head());
          }
          yield new ProverReply.Ready(protocol, name, version, softCancel);
        }
        case "result" -> new ProverReply.Result(id, challenges, proofs, finalProofs);
        case "error" -> new ProverReply.Failure(id, code, message, fatal);
        case "progress" -> new ProverReply.Progress(id, fraction, message);
        default -> throw new ProtocolViolation("unknown message type", line.head());
      };
    }
  }
}
