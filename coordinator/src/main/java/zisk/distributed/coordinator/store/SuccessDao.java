package zisk.distributed.coordinator.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import zisk.distributed.coordinator.store.TaskDao.WrittenTask;

/**
 * A task's success and everything that follows from it, in one statement: the SQL functions of
 * migration V14 ({@code zisk_record_success}, {@code zisk_report_success}), which read top to
 * bottom as the success branch of the job state machine. One statement is one round trip, and
 * outside a transaction also its own durable commit.
 */
public final class SuccessDao {

  private final Connection connection;

  SuccessDao(Connection connection) {
    this.connection = connection;
  }

  /**
   * What recording a success did. {@code updated}: 1, or 0 when the task was not DISPATCHED (and
   * nothing else was done). {@code unfinished}: ranks of the phase still running (0: it ended).
   * {@code released}: the PROVE prover released (one finished before it); {@code completed}: the
   * job COMPLETED (an AGGREGATE task); {@code moved}: the job entered the next phase, whose {@code
   * tasks} were written with the ended phase's results as {@code inputs} and {@code
   * previousSeconds} its run time.
   */
  public record RecordedSuccess(
      int updated,
      UUID jobId,
      int attempt,
      Phase phase,
      String proverId,
      int succeededBefore,
      int unfinished,
      int released,
      int completed,
      int moved,
      double previousSeconds,
      List<byte[]> inputs,
      List<WrittenTask> tasks) {

    private RecordedSuccess withTasks(List<WrittenTask> written) {
      return new RecordedSuccess(
          updated,
          jobId,
          attempt,
          phase,
          proverId,
          succeededBefore,
          unfinished,
          released,
          completed,
          moved,
          previousSeconds,
          inputs,
          written);
    }
  }

  private static final Sql RECORD =
      Sql.of(
          """
      SELECT * FROM zisk_record_success(:taskId, :result, :instanceId, :verification)
      """);

  /**
   * Records the success of a task whose report was checked, its job row locked by the caller.
   *
   * @param instanceId this coordinator: the next phase's tasks of provers it holds go DISPATCHED
   * @param verification how a final proof was checked, for the COMPLETED event
   */
  public RecordedSuccess record(UUID taskId, byte[] result, UUID instanceId, String verification) {
    return recorded(
        RECORD
            .on(connection)
            .bind("taskId", taskId)
            .bind("result", result)
            .bind("instanceId", instanceId)
            .bind("verification", verification)
            .list(SuccessDao::row));
  }

  /** A prover's report of a success, as it said it: nothing in it is checked yet. */
  public record ReportedSuccess(
      UUID taskId,
      String proverId,
      UUID jobId,
      Phase phase,
      long epoch,
      byte[] result,
      String verification) {}

  private static final Sql REPORT =
      Sql.of(
          """
      SELECT * FROM zisk_report_successes(:taskIds, :proverIds, :jobIds, :phases, :epochs, :results,
                                          :verifications, :instanceId)
      """);

  /**
   * Records, in one statement and in the order given, each reported success that passes every check
   * of a report, comes from a prover without a quarantine record, and is not a recomputed rank
   * (each locks its job row); the others change nothing. Safe outside a transaction, where the
   * statement is its own commit.
   *
   * @return what was recorded, by task id: a report missing from it was not taken
   */
  public Map<UUID, RecordedSuccess> report(List<ReportedSuccess> reports, UUID instanceId) {
    Map<UUID, RecordedSuccess> recorded = new LinkedHashMap<>();
    if (reports.isEmpty()) {
      return recorded;
    }
    List<Row> rows =
        REPORT
            .on(connection)
            .bind("taskIds", reports.stream().map(ReportedSuccess::taskId).toArray(UUID[]::new))
            .bind(
                "proverIds", reports.stream().map(ReportedSuccess::proverId).toArray(String[]::new))
            .bind("jobIds", reports.stream().map(ReportedSuccess::jobId).toArray(UUID[]::new))
            .bind("phases", reports.stream().map(r -> r.phase().name()).toArray(String[]::new))
            .bind("epochs", reports.stream().map(ReportedSuccess::epoch).toArray(Long[]::new))
            .bind("results", reports.stream().map(ReportedSuccess::result).toArray(byte[][]::new))
            .bind(
                "verifications",
                reports.stream().map(ReportedSuccess::verification).toArray(String[]::new))
            .bind("instanceId", instanceId)
            .list(SuccessDao::row);
    Map<UUID, List<Row>> byTask = new LinkedHashMap<>();
    rows.forEach(row -> byTask.computeIfAbsent(row.taskId(), id -> new ArrayList<>()).add(row));
    byTask.forEach((taskId, its) -> recorded.put(taskId, recorded(its)));
    return recorded;
  }

  /** One row: the summary (complete on a success's first row), and a written task or none. */
  private record Row(UUID taskId, RecordedSuccess summary, WrittenTask task) {}

  /** A success's rows: one per written task (or one, without a task), the summary on the first. */
  private static RecordedSuccess recorded(List<Row> rows) {
    return rows.get(0)
        .summary()
        .withTasks(rows.stream().map(Row::task).filter(Objects::nonNull).toList());
  }

  private static Row row(ResultSet row) throws SQLException {
    Array inputs = row.getArray("inputs");
    RecordedSuccess summary =
        new RecordedSuccess(
            row.getInt("updated"),
            Sql.uuid(row, "job_id"),
            row.getInt("attempt"),
            Sql.constant(Phase.class, row, "phase"),
            row.getString("prover_id"),
            row.getInt("succeeded_before"),
            row.getInt("unfinished"),
            row.getInt("released"),
            row.getInt("completed"),
            row.getInt("moved"),
            row.getDouble("previous_seconds"),
            inputs == null ? List.of() : List.of((byte[][]) inputs.getArray()),
            List.of());
    UUID taskId = Sql.uuid(row, "new_task_id");
    WrittenTask task =
        taskId == null
            ? null
            : new WrittenTask(
                taskId,
                summary.jobId(),
                summary.attempt(),
                Sql.constant(Phase.class, row, "new_phase"),
                row.getInt("new_rank_id"),
                row.getString("new_prover_id"),
                Sql.constant(TaskState.class, row, "new_state"));
    return new Row(Sql.uuid(row, "task_id"), summary, task);
  }
}
