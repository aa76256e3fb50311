package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * PostgreSQL NOTIFY, the wake-up between coordinators (delivered when the sending transaction
 * commits), and the LISTEN of the connection that receives them.
 */
public final class NotifyDao {

  /** "A task waits for prover P" (payload: the prover id). */
  public static final String DISPATCH = "zisk_dispatch";

  /** "Tell prover P that job J is cancelled" (payload: the encoded cancellation). */
  public static final String CANCEL = "zisk_cancel";

  /** A webhook delivery was queued; sent by the trigger that queues it (V12). */
  public static final String WEBHOOK = "zisk_webhook";

  /** A watched job has new events (payload: its id); sent by the job_events trigger (V15). */
  public static final String JOB_EVENT = "zisk_job_event";

  /** A task's progress for WatchJob (payload: as the scheduling layer's JobWatchers encodes it). */
  public static final String PROGRESS = "zisk_progress";

  /** Every channel above: what {@link #listen} subscribes to. */
  public static final List<String> CHANNELS =
      List.of(DISPATCH, CANCEL, WEBHOOK, JOB_EVENT, PROGRESS);

  // LISTEN takes no parameter, so each channel is written out; NotifyDaoTest checks this list
  // against CHANNELS.
  private static final String LISTEN =
      """
      LISTEN zisk_dispatch;
      LISTEN zisk_cancel;
      LISTEN zisk_webhook;
      LISTEN zisk_job_event;
      LISTEN zisk_progress
      """;

  private static final String PROBE = "SELECT 1";

  private final Connection connection;

  NotifyDao(Connection connection) {
    this.connection = connection;
  }

  private static final Sql SEND = Sql.of("SELECT pg_notify(:channel, :payload)");

  public String send(String channel, String payload) {
    return SEND.on(connection)
        .bind("channel", channel)
        .bind("payload", payload)
        .one(row -> row.getString(1));
  }

  /**
   * Subscribes {@code listener}, a connection of its own (a pooled one would take the subscription
   * to its next borrower), to every channel in {@link #CHANNELS}.
   */
  public static void listen(Connection listener) throws SQLException {
    try (Statement statement = listener.createStatement()) {
      statement.execute(LISTEN);
    }
  }

  /**
   * One round trip on the listening connection: a silently dropped connection delivers nothing and
   * raises nothing until something is sent on it.
   */
  public static void probe(Connection listener, int timeoutSeconds) throws SQLException {
    try (Statement statement = listener.createStatement()) {
      statement.setQueryTimeout(timeoutSeconds);
      statement.execute(PROBE);
    }
  }
}
