package zisk.distributed.coordinator.scheduling;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.TaskProgress;
import zisk.distributed.api.v1.WatchJobResponse;
import zisk.distributed.common.concurrent.DaemonThreads;
import zisk.distributed.common.rules.Uuids;
import zisk.distributed.coordinator.store.JobEventDao.Event;
import zisk.distributed.coordinator.store.Store;

/**
 * The WatchJob calls of this coordinator, grouped by job ({@link JobFeed}): a job's feed reads its
 * new events when the job_events trigger's notification arrives (from any coordinator's write; the
 * trigger notifies only for jobs in {@code job_watches}, where a feed records its job while it
 * lives), and every {@link #POLL} anyway, so a lost notification, an event written in the instant a
 * watch starts, or a listener that reconnected loses nothing but time. Progress comes by
 * notification only and is never stored. At most {@code maxWatchers} calls at once.
 */
public final class JobWatchers implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JobWatchers.class);

  /** The slow poll of watched jobs. */
  public static final Duration POLL = Duration.ofSeconds(3);

  /** How soon a feed reads again while a running transaction holds its newest events back. */
  static final long SETTLE_MILLIS = 50;

  /** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
  static final int MAX_PAYLOAD = 4000;

  private final Store store;
  private final UUID instanceId;
  private final Notifications notifications;
  private final int maxWatchers;
  private final Map<UUID, JobFeed> feeds = new ConcurrentHashMap<>();
  private final AtomicInteger watching = new AtomicInteger();
  private final ScheduledExecutorService executor =
      Executors.newScheduledThreadPool(2, DaemonThreads.named("job-watchers"));

  /**
   * @param instanceId this coordinator, as its watches are recorded
   */
  public JobWatchers(Store store, UUID instanceId, Notifications notifications, int maxWatchers) {
    this.store = store;
    this.instanceId = instanceId;
    this.notifications = notifications;
    this.maxWatchers = maxWatchers;
    notifications.watchedBy(this);
    executor.scheduleWithFixedDelay(
        this::refreshAll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts one WatchJob call: {@code status} first, then the job's events after {@code
   * afterEventId}. Throws RESOURCE_EXHAUSTED when this coordinator has {@code maxWatchers} calls.
   */
  public void watch(
      UUID jobId,
      long afterEventId,
      JobStatus status,
      ServerCallStreamObserver<WatchJobResponse> out) {
    if (watching.incrementAndGet() > maxWatchers) {
      watching.decrementAndGet();
      throw Status.RESOURCE_EXHAUSTED
          .withDescription(
              "this coordinator serves "
                  + maxWatchers
                  + " WatchJob calls already (limits.max_watchers); try again later")
          .asRuntimeException();
    }
    try {
      // Read after the status: the status's last_event_id is the job's newest event up to here,
      // sent once all of them are settled (JobFeed), so that resuming from it misses nothing.
      long horizon = store.read(tx -> tx.events().sequenceValue());
      JobFeed feed;
      Watcher watcher;
      synchronized (feeds) {
        feed = feeds.get(jobId);
        if (feed == null) {
          // Recorded before the first read, so events written after it notify this coordinator.
          store.read(tx -> tx.events().watch(jobId, instanceId));
          feed = new JobFeed(jobId, afterEventId);
          feeds.put(jobId, feed);
        }
        watcher = new Watcher(this, feed, out, status, horizon, afterEventId);
        feed.watchers.add(watcher);
      }
      feed.want(horizon);
      out.setOnCancelHandler(() -> closed(watcher));
      out.setOnReadyHandler(watcher::wake);
      scheduleRefresh(feed, 0);
    } catch (RuntimeException e) {
      watching.decrementAndGet();
      forgetIfUnwatched(jobId);
      throw e;
    }
  }

  /** A call ended (completed, cancelled or failed): its slot and, if last, its job's feed go. */
  void closed(Watcher watcher) {
    watcher.close();
    JobFeed feed = watcher.feed();
    if (feed.watchers.remove(watcher)) {
      watching.decrementAndGet();
      forgetIfUnwatched(feed.jobId);
    }
  }

  private void forgetIfUnwatched(UUID jobId) {
    synchronized (feeds) {
      JobFeed feed = feeds.get(jobId);
      if (feed != null && feed.watchers.isEmpty()) {
        feeds.remove(jobId);
        try {
          store.read(tx -> tx.events().unwatch(jobId, instanceId));
        } catch (RuntimeException e) {
          // A row left behind costs only notifications nobody reads; it goes with the instance.
          log.debug("Forgetting the watch of job {} failed: {}", jobId, e.getMessage());
        }
      }
    }
  }

  /** WatchJob calls open now. */
  public int size() {
    return watching.get();
  }

  /** The job_events trigger's notification: the job has new events. */
  void eventsOf(String payload) {
    Uuids.parse(payload).map(feeds::get).ifPresent(feed -> scheduleRefresh(feed, 0));
  }

  /** Reads every watched job (the slow poll, and after the listener reconnected). */
  void refreshAll() {
    feeds.values().forEach(feed -> scheduleRefresh(feed, 0));
  }

  private void scheduleRefresh(JobFeed feed, long delayMillis) {
    if (!feed.refreshQueued.compareAndSet(false, true)) {
      return;
    }
    schedule(
        () -> {
          feed.refreshQueued.set(false);
          if (feeds.get(feed.jobId) != feed) {
            return;
          }
          try {
            long next = feed.refresh(store);
            if (next >= 0) {
              scheduleRefresh(feed, next);
            }
          } catch (RuntimeException e) {
            log.debug("Reading the events of job {} failed: {}", feed.jobId, e.getMessage());
          }
        },
        delayMillis,
        TimeUnit.MILLISECONDS);
  }

  /** Relays a task's progress to its job's watchers on every coordinator (this one included). */
  public void publish(TaskProgress progress) {
    String payload = encodeProgress(progress);
    if (payload.length() <= MAX_PAYLOAD) {
      notifications.publishProgress(payload);
    }
  }

  /** A progress notification: to this coordinator's watchers of the job, if any. */
  void progress(String payload) {
    TaskProgress progress = decodeProgress(payload);
    Uuids.parse(progress.getJobId())
        .map(feeds::get)
        .ifPresent(feed -> feed.watchers.forEach(watcher -> watcher.offer(progress)));
  }

  static String encodeProgress(TaskProgress progress) {
    return Base64.getEncoder().encodeToString(progress.toByteArray());
  }

  static TaskProgress decodeProgress(String payload) {
    try {
      return TaskProgress.parseFrom(Base64.getDecoder().decode(payload));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a progress payload", e);
    }
  }

  long lastEventId(UUID jobId, long upTo) {
    return store.read(tx -> tx.events().lastEventId(jobId, upTo));
  }

  List<Event> read(UUID jobId, long afterId, long upTo) {
    return store.read(tx -> tx.events().between(jobId, afterId, upTo, JobFeed.PAGE));
  }

  void execute(Runnable work) {
    schedule(work, 0, TimeUnit.MILLISECONDS);
  }

  /** Runs {@code work} later on the watchers' threads; nothing once they stopped. */
  void schedule(Runnable work, long delay, TimeUnit unit) {
    try {
      executor.schedule(work, delay, unit);
    } catch (RejectedExecutionException e) {
      log.debug("Job watchers stopped; not scheduling more work");
    }
  }

  /** Stops reading; open calls end with UNAVAILABLE (the client resumes elsewhere). */
  @Override
  public void close() {
    executor.shutdownNow();
    try {
      store.read(tx -> tx.events().unwatchAll(instanceId));
    } catch (RuntimeException e) {
      log.debug("Forgetting this coordinator's watches failed: {}", e.getMessage());
    }
    for (JobFeed feed : feeds.values()) {
      for (Watcher watcher : feed.watchers) {
        watcher.fail(Status.UNAVAILABLE.withDescription("the coordinator is shutting down"));
      }
    }
    feeds.clear();
  }
}
