package zisk.distributed.coordinator.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.store.ClusterDao.SnapshotRow;
import zisk.distributed.coordinator.store.JobState;
import zisk.distributed.coordinator.store.ProverState;
import zisk.distributed.coordinator.store.Store;

/**
 * Cluster-wide gauges (jobs by state and phase, the queue, provers by state) from one SQL read
 * every few seconds ({@link #refresh}), not per scrape: every coordinator reports the same values,
 * so queries take max() over instances. {@code zisk_database_up} says whether the last read
 * succeeded; the other gauges keep their last values meanwhile.
 */
public final class ClusterGauges {

  private static final Logger log = LoggerFactory.getLogger(ClusterGauges.class);

  private final Store store;
  private final Clock clock;
  private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();
  private final AtomicLong oldestQueuedMillis = new AtomicLong();
  private final AtomicLong databaseUp = new AtomicLong();

  public ClusterGauges(MeterRegistry registry, Store store, Clock clock) {
    this.store = store;
    this.clock = clock;
    for (JobState state : List.of(JobState.QUEUED, JobState.RUNNING)) {
      for (String phase : List.of("NONE", "PARTIAL_CONTRIBUTION", "PROVE", "AGGREGATE")) {
        Gauge.builder("zisk.jobs", value("jobs/" + state.name() + "/" + phase), AtomicLong::get)
            .description("Active jobs by state and phase (cluster-wide; NONE: never started)")
            .tags("state", lower(state.name()), "phase", lower(phase))
            .register(registry);
      }
    }
    Gauge.builder("zisk.queue.depth", value("queue/QUEUED/"), AtomicLong::get)
        .description("QUEUED jobs (cluster-wide)")
        .register(registry);
    Gauge.builder("zisk.queue.oldest.age", oldestQueuedMillis, millis -> millis.get() / 1000.0)
        .description("Age of the oldest QUEUED job since its launch (cluster-wide)")
        .baseUnit("seconds")
        .register(registry);
    for (ProverState state : ProverState.values()) {
      Gauge.builder("zisk.provers", value("provers/" + state.name() + "/"), AtomicLong::get)
          .description("Provers by state (cluster-wide)")
          .tag("state", lower(state.name()))
          .register(registry);
    }
    Gauge.builder("zisk.provers.quarantined", value("quarantined//"), AtomicLong::get)
        .description("Connected provers in quarantine now (cluster-wide)")
        .register(registry);
    Gauge.builder("zisk.database.up", databaseUp, AtomicLong::get)
        .description("1 when this coordinator's last read of the cluster gauges succeeded")
        .register(registry);
  }

  /** Reads the cluster's counts once; a failed read leaves the gauges and sets database_up 0. */
  public void refresh() {
    List<SnapshotRow> rows;
    try {
      rows = store.read(tx -> tx.cluster().snapshot(clock.instant()));
    } catch (RuntimeException e) {
      databaseUp.set(0);
      log.debug("Reading the cluster gauges failed: {}", e.getMessage());
      return;
    }
    // Series absent from the answer are zero now (no QUEUED jobs, no BUSY provers...). Each gauge
    // is set once, so a scrape meanwhile never sees a zero that is not there.
    Map<String, Long> counts = new HashMap<>();
    for (SnapshotRow row : rows) {
      String phase = "jobs".equals(row.kind()) ? row.phase() : "";
      counts.put(row.kind() + "/" + row.state() + "/" + phase, row.count());
      if ("queue".equals(row.kind())) {
        oldestQueuedMillis.set((long) (row.seconds() * 1000));
      }
    }
    values.forEach((key, value) -> value.set(counts.getOrDefault(key, 0L)));
    databaseUp.set(1);
  }

  private AtomicLong value(String key) {
    return values.computeIfAbsent(key, k -> new AtomicLong());
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
