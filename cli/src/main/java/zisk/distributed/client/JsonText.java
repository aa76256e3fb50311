package zisk.distributed.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * Messages as one-line JSON for {@code --output json}: the proto's field names (snake_case, as
 * stable as the proto itself), every field present, even when zero or empty.
 */
public final class JsonText {

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer()
          .preservingProtoFieldNames()
          .alwaysPrintFieldsWithNoPresence()
          .omittingInsignificantWhitespace();

  private JsonText() {}

  public static String of(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("our own messages always print", e);
    }
  }
}
