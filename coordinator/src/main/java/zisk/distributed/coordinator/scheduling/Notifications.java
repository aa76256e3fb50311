package zisk.distributed.coordinator.scheduling;

import static zisk.distributed.coordinator.store.NotifyDao.CANCEL;
import static zisk.distributed.coordinator.store.NotifyDao.DISPATCH;
import static zisk.distributed.coordinator.store.NotifyDao.JOB_EVENT;
import static zisk.distributed.coordinator.store.NotifyDao.PROGRESS;
import static zisk.distributed.coordinator.store.NotifyDao.WEBHOOK;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.concurrent.Backoff;
import zisk.distributed.common.concurrent.DaemonThreads;
import zisk.distributed.common.rules.Uuids;
import zisk.distributed.coordinator.lifecycle.Effects;
import zisk.distributed.coordinator.store.NotifyDao;
import zisk.distributed.coordinator.store.Store;

/**
 * Wake-ups between coordinators over PostgreSQL {@code LISTEN/NOTIFY}: "a task waits for prover P"
 * and "tell prover P that job J is cancelled" reach the coordinator holding P's stream at once. A
 * dedicated connection listens and reconnects after a loss; a missed notification only delays work
 * until the next poll, which dispatches whatever is still ASSIGNED.
 */
public final class Notifications implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Notifications.class);
  private static final int MAX_REASON = 500;
  private static final Duration RECONNECT_BASE = Duration.ofMillis(500);
  private static final Duration RECONNECT_CAP = Duration.ofSeconds(10);

  private final Store store;
  private final String jdbcUrl;
  private volatile boolean running = true;
  private volatile Runnable onWebhook = () -> {};
  private volatile Consumer<String> onReceived = channel -> {};
  private volatile JobWatchers watchers;
  private Thread listener;

  public Notifications(Store store, String jdbcUrl) {
    this.store = store;
    this.jdbcUrl = jdbcUrl;
  }

  /** Tells whichever coordinator holds the prover's stream to dispatch its tasks. */
  public void publishDispatch(String proverId) {
    notify(DISPATCH, proverId);
  }

  /** Tells whichever coordinator holds the prover's stream to send it JobCancelled. */
  public void publishCancel(Effects.Cancellation cancellation) {
    String reason = cancellation.reason();
    String shortReason = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
    notify(
        CANCEL,
        encodeCancel(
            new Effects.Cancellation(
                cancellation.proverId(),
                cancellation.jobId(),
                cancellation.taskId(),
                shortReason)));
  }

  /** Relays a task's progress to the watchers of its job on every coordinator. */
  void publishProgress(String payload) {
    notify(PROGRESS, payload);
  }

  /** Where job events and progress go; set before {@link #start}. */
  public void watchedBy(JobWatchers jobWatchers) {
    this.watchers = jobWatchers;
  }

  private void notify(String channel, String payload) {
    try {
      store.read(tx -> tx.notifications().send(channel, payload));
    } catch (RuntimeException e) {
      log.debug("NOTIFY {} failed (the poll will catch up): {}", channel, e.getMessage());
    }
  }

  /**
   * Told the channel of every notification received, without its "zisk_" prefix (dispatch, cancel,
   * job_event, progress, webhook): metrics.
   */
  public void countedBy(Consumer<String> counter) {
    this.onReceived = counter;
  }

  /**
   * Called, on the listener's thread, when a webhook delivery has been queued; set before start.
   */
  public void onWebhook(Runnable handler) {
    this.onWebhook = handler;
  }

  /**
   * Starts listening.
   *
   * @param onDispatch called with a prover id
   * @param onCancel called with the cancellation to deliver
   * @param onReconnect called after the listener (re)connects, to catch up on what it missed
   */
  public void start(
      Consumer<String> onDispatch, Consumer<Effects.Cancellation> onCancel, Runnable onReconnect) {
    listener =
        DaemonThreads.named("coordinator-notifications")
            .newThread(() -> listen(onDispatch, onCancel, onReconnect));
    listener.start();
  }

  private void listen(
      Consumer<String> onDispatch, Consumer<Effects.Cancellation> onCancel, Runnable onReconnect) {
    Backoff backoff = new Backoff(RECONNECT_BASE, RECONNECT_CAP, new Random());
    while (running) {
      try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
        NotifyDao.listen(connection);
        backoff.reset();
        log.debug("Listening on {}", NotifyDao.CHANNELS);
        onReconnect.run();
        if (watchers != null) {
          watchers.refreshAll();
        }
        PGConnection pg = connection.unwrap(PGConnection.class);
        int quietSeconds = 0;
        while (running) {
          PGNotification[] notifications = pg.getNotifications(1000);
          if (notifications == null || notifications.length == 0) {
            // A silently dropped connection delivers nothing and raises nothing: probe it now and
            // then.
            if (++quietSeconds >= 10) {
              quietSeconds = 0;
              NotifyDao.probe(connection, 5);
            }
            continue;
          }
          for (PGNotification notification : notifications) {
            onReceived.accept(notification.getName().replaceFirst("^zisk_", ""));
            if (WEBHOOK.equals(notification.getName())) {
              onWebhook.run();
            } else {
              deliver(notification, onDispatch, onCancel, watchers);
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (!running) {
          return;
        }
        Duration delay = backoff.nextDelay();
        log.debug(
            "Notification listener lost its connection ({}); reconnecting in {} ms",
            e.getMessage(),
            delay.toMillis());
        try {
          Thread.sleep(delay.toMillis()); // reconnect pacing
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  private static void deliver(
      PGNotification notification,
      Consumer<String> onDispatch,
      Consumer<Effects.Cancellation> onCancel,
      JobWatchers jobWatchers) {
    try {
      if (jobWatchers != null && JOB_EVENT.equals(notification.getName())) {
        jobWatchers.eventsOf(notification.getParameter());
      } else if (jobWatchers != null && PROGRESS.equals(notification.getName())) {
        jobWatchers.progress(notification.getParameter());
      } else if (DISPATCH.equals(notification.getName())) {
        onDispatch.accept(notification.getParameter());
      } else if (CANCEL.equals(notification.getName())) {
        onCancel.accept(decodeCancel(notification.getParameter()));
      }
    } catch (RuntimeException e) {
      log.warn("Handling notification {} failed: {}", notification.getName(), e.getMessage());
    }
  }

  /**
   * "jobId|taskId|length of the prover id|prover id|reason": the ids of fixed shape first, then the
   * prover id by length, so neither it nor the reason needs escaping.
   */
  static String encodeCancel(Effects.Cancellation cancellation) {
    String proverId = cancellation.proverId();
    return cancellation.jobId()
        + "|"
        + (cancellation.taskId() == null ? "" : cancellation.taskId())
        + "|"
        + proverId.length()
        + "|"
        + proverId
        + "|"
        + cancellation.reason();
  }

  static Effects.Cancellation decodeCancel(String payload) {
    String[] head = payload.split("\\|", 4);
    int length = Integer.parseInt(head[2]);
    String rest = head[3];
    return new Effects.Cancellation(
        rest.substring(0, length),
        uuid(head[0]),
        head[1].isEmpty() ? null : uuid(head[1]),
        rest.substring(length + 1));
  }

  private static UUID uuid(String text) {
    return Uuids.parse(text)
        .orElseThrow(() -> new IllegalArgumentException("not a UUID: '" + text + "'"));
  }

  @Override
  public void close() {
    running = false;
    if (listener != null) {
      listener.interrupt();
    }
  }
}
