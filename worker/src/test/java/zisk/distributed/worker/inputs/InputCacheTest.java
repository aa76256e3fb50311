package zisk.distributed.worker.inputs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.api.v1.ErrorResponse;
import zisk.distributed.api.v1.GetInputRequest;
import zisk.distributed.api.v1.GetInputResponse;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.common.inputs.InputRefusedException;

/** The input cache against a GetInput service over a real socket. */
class InputCacheTest {

  /** Serves whatever bytes it holds under an id, in 1000-byte chunks, counting calls. */
  private static final class Inputs extends ZiskDistributedApiGrpc.ZiskDistributedApiImplBase {
    final Map<String, byte[]> byId = new ConcurrentHashMap<>();
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void getInput(GetInputRequest request, StreamObserver<GetInputResponse> out) {
      calls.incrementAndGet();
      byte[] bytes = byId.get(request.getInputId());
      if (bytes == null) {
        out.onNext(
            GetInputResponse.newBuilder()
                .setError(ErrorResponse.newBuilder().setCode("INPUT_NOT_FOUND").setMessage("no"))
                .build());
        out.onCompleted();
        return;
      }
      for (int offset = 0; offset < bytes.length; offset += 1000) {
        GetInputResponse.Builder chunk =
            GetInputResponse.newBuilder()
                .setChunk(
                    ByteString.copyFrom(bytes, offset, Math.min(1000, bytes.length - offset)));
        if (offset == 0) {
          chunk.setSizeBytes(bytes.length);
        }
        out.onNext(chunk.build());
      }
      out.onCompleted();
    }
  }

  @TempDir Path dir;
  private final Inputs inputs = new Inputs();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(inputs)
            .build()
            .start();
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
            .build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void fetchesVerifiesAndThenServesFromTheCache() throws Exception {
    byte[] bytes = bytes(5_500, 1);
    String id = sha256(bytes);
    inputs.byId.put(id, bytes);
    InputCache cache = new InputCache(dir, 1 << 20);

    Path first = cache.fetch(id, channel, 1 << 20);
    Path second = cache.fetch(id, channel, 1 << 20);

    assertEquals(dir.resolve(id), first);
    assertEquals(first, second);
    assertArrayEquals(bytes, Files.readAllBytes(first));
    assertEquals(1, inputs.calls.get(), "the second use is a cache hit");
    assertEquals(1, cache.downloads());
    assertEquals(bytes.length, cache.downloadedBytes());
    assertEquals(1, cache.hits());
  }

  @Test
  void aCorruptCachedFileIsFetchedAgain() throws Exception {
    byte[] bytes = bytes(3_000, 2);
    String id = sha256(bytes);
    inputs.byId.put(id, bytes);
    InputCache cache = new InputCache(dir, 1 << 20);
    Files.write(dir.resolve(id), bytes(3_000, 3));

    Path fetched = cache.fetch(id, channel, 1 << 20);

    assertArrayEquals(bytes, Files.readAllBytes(fetched));
    assertEquals(1, inputs.calls.get());
  }

  @Test
  void bytesThatDoNotMatchTheirIdAreRefusedAndNotKept() {
    String id = sha256(bytes(2_000, 4));
    inputs.byId.put(id, bytes(2_000, 5));
    InputCache cache = new InputCache(dir, 1 << 20);

    IOException error = assertThrows(IOException.class, () -> cache.fetch(id, channel, 1 << 20));

    assertTrue(error.getMessage().contains("SHA-256"), error.getMessage());
    assertFalse(Files.exists(dir.resolve(id)));
    assertEquals(0, dir.toFile().list().length, "no partial file is left");
  }

  @Test
  void anInputTheCoordinatorDoesNotHaveIsRefused() {
    InputCache cache = new InputCache(dir, 1 << 20);

    InputRefusedException error =
        assertThrows(
            InputRefusedException.class, () -> cache.fetch(sha256(bytes(10, 6)), channel, 1 << 20));

    assertTrue(error.getMessage().contains("does not have"), error.getMessage());
  }

  @Test
  void anInputLargerThanTheWorkerReadsIsRefused() {
    byte[] bytes = bytes(5_000, 7);
    inputs.byId.put(sha256(bytes), bytes);
    InputCache cache = new InputCache(dir, 1 << 20);

    assertThrows(InputRefusedException.class, () -> cache.fetch(sha256(bytes), channel, 4_000));
  }

  @Test
  void theLeastRecentlyUsedInputsAreEvictedBeyondTheLimit() throws Exception {
    InputCache cache = new InputCache(dir, 2_500);
    String[] ids = new String[3];
    for (int i = 0; i < 3; i++) {
      byte[] bytes = bytes(1_000, 10 + i);
      ids[i] = sha256(bytes);
      inputs.byId.put(ids[i], bytes);
    }
    cache.fetch(ids[0], channel, 1 << 20);
    cache.fetch(ids[1], channel, 1 << 20);
    Files.setLastModifiedTime(dir.resolve(ids[0]), FileTime.fromMillis(1_000));
    Files.setLastModifiedTime(dir.resolve(ids[1]), FileTime.fromMillis(2_000));
    cache.fetch(ids[0], channel, 1 << 20); // used again: now the most recent

    cache.fetch(ids[2], channel, 1 << 20);

    assertTrue(Files.exists(dir.resolve(ids[0])));
    assertFalse(Files.exists(dir.resolve(ids[1])), "the least recently used one went");
    assertTrue(Files.exists(dir.resolve(ids[2])));
  }

  private static byte[] bytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
