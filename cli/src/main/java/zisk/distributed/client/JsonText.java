package zisk.distributed.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.util.Map;

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

  /** A flat JSON object of strings, numbers and booleans (field order not significant). */
  public static String object(Map<String, ?> fields) {
    Struct.Builder struct = Struct.newBuilder();
    fields.forEach(
        (name, value) -> {
          Value.Builder json = Value.newBuilder();
          if (value instanceof Boolean b) {
            json.setBoolValue(b);
          } else if (value instanceof Number n) {
            json.setNumberValue(n.doubleValue());
          } else {
            json.setStringValue(String.valueOf(value));
          }
          struct.putFields(name, json.build());
        });
    return of(struct);
  }

  public static String of(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("our own messages always print", e);
    }
  }
}
