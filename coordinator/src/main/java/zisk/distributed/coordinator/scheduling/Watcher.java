package zisk.distributed.coordinator.scheduling;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.JobEvent;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.TaskProgress;
import zisk.distributed.api.v1.WatchJobResponse;
import zisk.distributed.coordinator.store.JobEventDao.Event;

/**
 * One WatchJob call. It sends only while its client is ready (flow control): the status first, then
 * events in id order, then progress. Nothing grows with a slow client: events come from the feed's
 * buffer or, for one that fell behind it, from the database page by page when the client is ready
 * again; progress waits in a short queue whose oldest entries are dropped.
 */
final class Watcher {

  private static final Logger log = LoggerFactory.getLogger(Watcher.class);
  static final int PROGRESS_QUEUE = 16;

  private final JobWatchers owner;
  private final JobFeed feed;
  private final ServerCallStreamObserver<WatchJobResponse> out;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final ArrayDeque<TaskProgress> progress = new ArrayDeque<>();

  // Guarded by this (the pump).
  private JobStatus first;
  private final long statusHorizon;
  private final ArrayDeque<Event> catchUp = new ArrayDeque<>();
  private long catchUpEnd;

  /** Every event of the job up to here has been sent. */
  private long known;

  private boolean closed;

  Watcher(
      JobWatchers owner,
      JobFeed feed,
      ServerCallStreamObserver<WatchJobResponse> out,
      JobStatus status,
      long statusHorizon,
      long afterEventId) {
    this.owner = owner;
    this.feed = feed;
    this.out = out;
    this.first = status;
    this.statusHorizon = statusHorizon;
    this.known = afterEventId;
  }

  /** Runs the pump soon on the watchers' executor; repeated calls meanwhile fold into one. */
  void wake() {
    if (scheduled.compareAndSet(false, true)) {
      owner.execute(this::pump);
    }
  }

  void offer(TaskProgress message) {
    synchronized (progress) {
      if (progress.size() >= PROGRESS_QUEUE) {
        progress.removeFirst(); // progress is the first thing dropped for a slow client
      }
      progress.addLast(message);
    }
    wake();
  }

  private void pump() {
    scheduled.set(false);
    synchronized (this) {
      try {
        drain();
      } catch (RuntimeException e) {
        // Most likely the database is away: try again later; the client sees a pause.
        log.debug("WatchJob of job {} paused: {}", feed.jobId, e.getMessage());
        owner.schedule(this::wake, 1, TimeUnit.SECONDS);
      }
    }
  }

  private void drain() {
    while (!closed && !out.isCancelled() && out.isReady()) {
      if (first != null) {
        if (feed.settled() < statusHorizon) {
          return; // the feed wakes this watcher when it has read on
        }
        long last = owner.lastEventId(feed.jobId, statusHorizon);
        out.onNext(
            WatchJobResponse.newBuilder()
                .setStatus(first.toBuilder().setLastEventId(last))
                .build());
        first = null;
        continue;
      }
      boolean ended = feed.ended(); // read before looking for events: see JobFeed.refresh
      Event event = nextEvent();
      if (event != null) {
        out.onNext(WatchJobResponse.newBuilder().setEvent(toProto(event)).build());
        known = Math.max(known, event.eventId());
        continue;
      }
      TaskProgress next;
      synchronized (progress) {
        next = progress.pollFirst();
      }
      if (next != null) {
        out.onNext(WatchJobResponse.newBuilder().setProgress(next).build());
        continue;
      }
      if (ended) {
        closed = true;
        out.onCompleted();
        owner.closed(this);
      }
      return;
    }
  }

  private Event nextEvent() {
    if (catchUp.isEmpty() && catchUpEnd > known) {
      known = catchUpEnd;
    }
    if (!catchUp.isEmpty()) {
      return catchUp.removeFirst();
    }
    Event buffered = feed.after(known);
    if (buffered != JobFeed.BEHIND) {
      return buffered;
    }
    long upTo = feed.settled();
    List<Event> page = owner.read(feed.jobId, known, upTo);
    catchUp.addAll(page);
    catchUpEnd = page.size() < JobFeed.PAGE ? upTo : page.get(page.size() - 1).eventId();
    return nextEvent();
  }

  /** The client went away, or the coordinator stops. */
  synchronized void close() {
    closed = true;
  }

  /** Ends the call with an error status (the coordinator stops). */
  synchronized void fail(Status status) {
    if (!closed) {
      closed = true;
      try {
        out.onError(status.asRuntimeException());
      } catch (RuntimeException e) {
        log.debug("WatchJob of job {} already closed: {}", feed.jobId, e.getMessage());
      }
    }
  }

  JobFeed feed() {
    return feed;
  }

  static JobEvent toProto(Event event) {
    JobEvent.Builder proto =
        JobEvent.newBuilder()
            .setEventId(event.eventId())
            .setJobId(event.jobId().toString())
            .setKind(event.kind())
            .setAt(
                Timestamp.newBuilder()
                    .setSeconds(event.at().getEpochSecond())
                    .setNanos(event.at().getNano()))
            .setAttempt(Math.max(0, event.attempt()));
    if (event.state() != null) {
      proto.setState(event.state());
    }
    if (event.phase() != null) {
      proto.setPhase(event.phase());
    }
    if (event.proverId() != null) {
      proto.setProverId(event.proverId());
    }
    if (event.taskId() != null) {
      proto.setTaskId(event.taskId().toString());
    }
    if (event.detail() != null) {
      proto.setDetail(event.detail());
    }
    return proto.build();
  }
}
