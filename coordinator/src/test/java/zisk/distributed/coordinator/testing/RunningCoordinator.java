package zisk.distributed.coordinator.testing;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc;
import zisk.distributed.api.v1.ZiskDistributedApiGrpc.ZiskDistributedApiBlockingStub;
import zisk.distributed.coordinator.CoordinatorServer;
import zisk.distributed.coordinator.config.CoordinatorConfig;
import zisk.distributed.coordinator.store.Database;

/**
 * A real coordinator on a test database, reachable in-process or over TCP, with a client channel.
 */
public final class RunningCoordinator implements AutoCloseable {

  private final Database database;
  private final CoordinatorServer server;
  private final ManagedChannel channel;

  private RunningCoordinator(Database database, CoordinatorServer server, ManagedChannel channel) {
    this.database = database;
    this.server = server;
    this.channel = channel;
  }

  /** In-process transport with direct executors: handlers run on the calling thread. */
  public static RunningCoordinator inProcess(CoordinatorConfig config) {
    String name = "coordinator-" + UUID.randomUUID();
    Database database = Database.open(config);
    CoordinatorServer server =
        new CoordinatorServer(
            config,
            database,
            InProcessServerBuilder.forName(name).directExecutor(),
            Clock.systemUTC());
    start(server, database);
    return new RunningCoordinator(
        database, server, InProcessChannelBuilder.forName(name).directExecutor().build());
  }

  /** A real socket on 127.0.0.1 (the config's port; 0 picks a free one). */
  public static RunningCoordinator onTcp(CoordinatorConfig config) {
    Database database = Database.open(config);
    CoordinatorServer server = CoordinatorServer.onConfiguredPort(config, database);
    start(server, database);
    return new RunningCoordinator(
        database,
        server,
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build());
  }

  /** A real socket on 127.0.0.1, dialed with the given credentials (TLS, for a TLS port). */
  public static RunningCoordinator onTcp(
      CoordinatorConfig config, ChannelCredentials clientCredentials) {
    Database database = Database.open(config);
    CoordinatorServer server;
    try {
      server = CoordinatorServer.onConfiguredPort(config, database);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    start(server, database);
    return new RunningCoordinator(
        database,
        server,
        Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), clientCredentials).build());
  }

  private static void start(CoordinatorServer server, Database database) {
    try {
      server.start();
    } catch (IOException e) {
      database.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  public ZiskDistributedApiBlockingStub stub() {
    return ZiskDistributedApiGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  public ManagedChannel channel() {
    return channel;
  }

  public Jdbi jdbi() {
    return database.jdbi();
  }

  public CoordinatorServer server() {
    return server;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.stop();
    database.close();
  }
}
