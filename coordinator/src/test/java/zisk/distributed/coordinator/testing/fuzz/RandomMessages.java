package zisk.distributed.coordinator.testing.fuzz;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Well-formed protobuf messages of any type with hostile contents, built from the type's
 * descriptor: strings that are empty, huge, full of control characters and NULs, paths and ids seen
 * earlier in the run (so lookups sometimes hit); numbers at their edges; one member of each oneof
 * (or none); nested messages a few levels deep.
 */
public final class RandomMessages {

  private static final String[] ODD_STRINGS = {
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\t\r\n",
    "\u001b[31mred",
    "../../etc/passwd",
    "/etc/shadow",
    "/dev/zero",
    "job_123",
    "00000000-0000-0000-0000-000000000000",
    "%s%n%x",
    "' OR 1=1 --",
    "\uFEFF",
    "\uD83D\uDE00",
    "Ω≈ç√∫",
    "gpu-*",
    "SERVING",
    "null"
  };

  private final Random random;

  /** Ids the run has seen (jobs launched, tasks handed out, provers registered): lookups hit. */
  private final List<String> knownIds = new CopyOnWriteArrayList<>();

  public RandomMessages(Random random) {
    this.random = random;
  }

  public void rememberId(String id) {
    if (!id.isEmpty() && knownIds.size() < 10_000) {
      knownIds.add(id);
    }
  }

  /** A random message of {@code prototype}'s type. */
  @SuppressWarnings("unchecked")
  public <T extends Message> T of(T prototype) {
    return (T) build(prototype, 0);
  }

  private Message build(Message prototype, int depth) {
    Message.Builder builder = prototype.newBuilderForType();
    var type = prototype.getDescriptorForType();
    for (OneofDescriptor oneof : type.getRealOneofs()) {
      int choice = random.nextInt(oneof.getFieldCount() + 1);
      if (choice < oneof.getFieldCount()) {
        set(builder, oneof.getField(choice), depth);
      }
    }
    for (FieldDescriptor field : type.getFields()) {
      if (field.getRealContainingOneof() == null && random.nextInt(4) != 0) {
        set(builder, field, depth);
      }
    }
    return builder.build();
  }

  private void set(Message.Builder builder, FieldDescriptor field, int depth) {
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= 4) {
      return;
    }
    if (field.isRepeated()) {
      int count = random.nextInt(10) == 0 ? random.nextInt(200) : random.nextInt(4);
      for (int i = 0; i < count; i++) {
        builder.addRepeatedField(field, value(builder, field, depth));
      }
    } else {
      builder.setField(field, value(builder, field, depth));
    }
  }

  private Object value(Message.Builder builder, FieldDescriptor field, int depth) {
    return switch (field.getJavaType()) {
      case STRING -> string();
      case INT -> integer();
      case LONG -> random.nextInt(3) == 0 ? random.nextLong() : (long) integer();
      case BOOLEAN -> random.nextBoolean();
      case FLOAT -> random.nextFloat();
      case DOUBLE -> random.nextDouble();
      case BYTE_STRING -> com.google.protobuf.ByteString.copyFrom(bytes(random.nextInt(64)));
      case ENUM -> enumValue(field);
      case MESSAGE ->
          build(builder.newBuilderForField(field).getDefaultInstanceForType(), depth + 1);
    };
  }

  private EnumValueDescriptor enumValue(FieldDescriptor field) {
    var type = field.getEnumType();
    if (random.nextInt(5) == 0) {
      // A number this build does not know: proto3 keeps it as an unrecognized value.
      return type.findValueByNumberCreatingIfUnknown(100 + random.nextInt(1000));
    }
    return type.getValues().get(random.nextInt(type.getValues().size()));
  }

  /** A uint32 or int32 at an edge, small, or anywhere. */
  public int integer() {
    return switch (random.nextInt(6)) {
      case 0 -> 0;
      case 1 -> 1 + random.nextInt(8);
      case 2 -> -1;
      case 3 -> Integer.MAX_VALUE;
      case 4 -> random.nextInt(20_000);
      default -> random.nextInt();
    };
  }

  /** A string of one of many shapes, now and then one that is megabytes long. */
  public String string() {
    int shape = random.nextInt(100);
    if (shape < 20 && !knownIds.isEmpty()) {
      return knownIds.get(random.nextInt(knownIds.size()));
    }
    if (shape < 30) {
      return UUID.randomUUID().toString();
    }
    if (shape < 45) {
      return ODD_STRINGS[random.nextInt(ODD_STRINGS.length)];
    }
    if (shape < 65) {
      return printable(1 + random.nextInt(40));
    }
    if (shape < 80) {
      return anyCodePoints(1 + random.nextInt(60));
    }
    if (shape < 99 || random.nextInt(5) != 0) {
      return printable(200 + random.nextInt(5_000));
    }
    // Megabytes: beyond the admin message limit, and the sort of id nobody should echo back.
    return "x".repeat(1_000_000 + random.nextInt(2_000_000));
  }

  public String printable(int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) (0x21 + random.nextInt(0x7E - 0x21 + 1)));
    }
    return text.toString();
  }

  private String anyCodePoints(int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      int codePoint =
          switch (random.nextInt(4)) {
            case 0 -> random.nextInt(0x20); // control characters, NUL included
            case 1 -> random.nextInt(0x80);
            case 2 -> 0x80 + random.nextInt(0xD800 - 0x80);
            default -> 0x10000 + random.nextInt(0x10FFFF - 0x10000);
          };
      text.appendCodePoint(codePoint);
    }
    return text.toString();
  }

  private byte[] bytes(int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }
}
