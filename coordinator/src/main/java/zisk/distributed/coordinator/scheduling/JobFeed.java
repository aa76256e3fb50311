package zisk.distributed.coordinator.scheduling;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import zisk.distributed.coordinator.store.JobEventDao.Event;
import zisk.distributed.coordinator.store.JobEventDao.Snapshot;
import zisk.distributed.coordinator.store.Store;

/**
 * One job's events as this coordinator's watchers of it share them: one read per wake-up for the
 * job, however many watch it; a bounded buffer of the latest events; slower or later watchers read
 * older ones from the database themselves ({@link Watcher}).
 *
 * <p>Only <em>final</em> events enter the buffer: those no event with a smaller id can follow any
 * more. event_id is a sequence, and a transaction that commits later may hold a smaller id than one
 * already visible; streaming the visible one first would make a watcher that resumes from it (on
 * this or another coordinator) miss the other forever. Since V11 an event's id is taken after its
 * transaction has an xid, so with {@code L} the sequence's value read before a snapshot whose
 * {@code xmax} is {@code X}, every id up to {@code L} belongs to a transaction below {@code X};
 * once a later snapshot's oldest running transaction ({@code xmin}) is at least {@code X}, every id
 * up to {@code L} is settled. A snapshot with nothing running settles everything visible at once.
 * The price is one more short read (about {@link JobWatchers#SETTLE_MILLIS}) while transactions
 * run, and a watcher is held back while any write transaction of the database stays open.
 */
final class JobFeed {

  static final int PAGE = 200;
  private static final int BUFFER = 256;
  private static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "CANCELLED");

  private record Horizon(long sequence, long xmax) {}

  final UUID jobId;
  final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
  final AtomicBoolean refreshQueued = new AtomicBoolean();

  private final ArrayDeque<Event> buffer = new ArrayDeque<>();

  /** The buffer holds every event of the job in (floor, cursor]. */
  private long floor;

  private long cursor;

  /** Every event id up to here, of any job, is settled: no such event can appear any more. */
  private long settled;

  private Horizon pending;
  private Horizon endCheck;
  private volatile boolean ended;

  /** A watcher waits for every id up to here to be settled (its status's last_event_id). */
  private long wanted;

  JobFeed(UUID jobId, long startAfter) {
    this.jobId = jobId;
    this.floor = startAfter;
    this.cursor = startAfter;
  }

  /**
   * Reads the job's new events and hands the settled ones to the watchers.
   *
   * @return milliseconds until the next read this one asks for (0: at once, a page was full); -1
   *     when only a notification or the slow poll need wake it
   */
  synchronized long refresh(Store store) {
    long[] sequence = new long[1];
    Snapshot snapshot =
        store.read(
            tx -> {
              // The sequence first, then the snapshot: see the class comment.
              sequence[0] = tx.events().sequenceValue();
              return tx.events().after(jobId, cursor, PAGE);
            });
    long bound;
    if (snapshot.quiet()) {
      pending = null;
      long lastVisible =
          snapshot.events().isEmpty()
              ? 0
              : snapshot.events().get(snapshot.events().size() - 1).eventId();
      settled = Math.max(settled, Math.max(sequence[0], lastVisible));
      bound = Long.MAX_VALUE;
    } else {
      if (pending != null && snapshot.xmin() >= pending.xmax()) {
        settled = Math.max(settled, pending.sequence());
        pending = null;
      }
      if (pending == null) {
        pending = new Horizon(sequence[0], snapshot.xmax());
      }
      bound = settled;
    }
    int taken = 0;
    for (Event event : snapshot.events()) {
      if (event.eventId() > bound) {
        break;
      }
      buffer.addLast(event);
      cursor = event.eventId();
      taken++;
    }
    while (buffer.size() > BUFFER) {
      floor = buffer.removeFirst().eventId();
    }
    boolean held = taken < snapshot.events().size();
    boolean fullPage = !held && snapshot.events().size() == PAGE;
    boolean over = snapshot.jobState() == null || FINAL.contains(snapshot.jobState());
    if (over && !held && !fullPage && !ended) {
      // The job is over, but a transaction running now may still add an event: end once it is
      // settled too.
      if (snapshot.quiet() || (endCheck != null && snapshot.xmin() >= endCheck.xmax())) {
        ended = true;
      } else if (endCheck == null) {
        endCheck = new Horizon(sequence[0], snapshot.xmax());
      }
    }
    watchers.forEach(Watcher::wake);
    if (fullPage) {
      return 0;
    }
    return held || (over && !ended) || settled() < wanted ? JobWatchers.SETTLE_MILLIS : -1;
  }

  /** Keeps reading until every id up to {@code eventId} is settled. */
  synchronized void want(long eventId) {
    wanted = Math.max(wanted, eventId);
  }

  /** Every event id up to here is settled. */
  synchronized long settled() {
    return Math.max(settled, cursor);
  }

  /**
   * The first buffered event after {@code eventId}; null when there is none yet. Throws nothing;
   * answers {@link #BEHIND} when the buffer no longer (or not yet) reaches back to that id.
   */
  synchronized Event after(long eventId) {
    if (eventId < floor) {
      return BEHIND;
    }
    for (Event event : buffer) {
      if (event.eventId() > eventId) {
        return event;
      }
    }
    return null;
  }

  /** Whether the job is over and every event it will ever have is in the buffer or before it. */
  boolean ended() {
    return ended;
  }

  /** The answer of {@link #after} for a watcher that must read from the database. */
  static final Event BEHIND = new Event(-1, null, null, null, null, null, 0, null, null, null);
}
