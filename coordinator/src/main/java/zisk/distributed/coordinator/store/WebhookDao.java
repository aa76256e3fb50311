package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of {@code webhook_deliveries}, the outbox of job outcomes (rows are inserted by the
 * {@code jobs_webhook_on_end} trigger, see V12). An attempt is claimed with {@code FOR UPDATE SKIP
 * LOCKED} and a lease, so two coordinators never send the same attempt; every later update names
 * the attempt it claimed, so a sender whose lease ran out (and whose row another coordinator
 * claimed again) changes nothing: "0 rows" is its answer.
 */
public final class WebhookDao {

  private final Connection connection;

  WebhookDao(Connection connection) {
    this.connection = connection;
  }

  /**
   * One claimed attempt.
   *
   * @param attempt the number of this attempt, from 1
   */
  public record Delivery(UUID deliveryId, UUID jobId, String url, String body, int attempt) {}

  private static final Sql CLAIM =
      Sql.of(
          """
      UPDATE webhook_deliveries
      SET attempts = attempts + 1,
          next_attempt_at = now() + make_interval(secs => :leaseSeconds),
          claimed_by = :instanceId
      WHERE delivery_id IN (
          SELECT delivery_id FROM webhook_deliveries
          WHERE state = 'PENDING' AND next_attempt_at <= now()
          ORDER BY next_attempt_at
          LIMIT :limit
          FOR UPDATE SKIP LOCKED)
      RETURNING delivery_id, job_id, url, body, attempts
      """);

  /**
   * Claims up to {@code limit} due deliveries for one attempt each, leased for {@code
   * leaseSeconds}: until then no other coordinator claims them.
   */
  public List<Delivery> claimDue(UUID instanceId, long leaseSeconds, int limit) {
    return CLAIM
        .on(connection)
        .bind("instanceId", instanceId)
        .bind("leaseSeconds", (double) leaseSeconds)
        .bind("limit", limit)
        .list(
            row ->
                new Delivery(
                    Sql.uuid(row, "delivery_id"),
                    Sql.uuid(row, "job_id"),
                    row.getString("url"),
                    row.getString("body"),
                    row.getInt("attempts")));
  }

  private static final Sql DELIVERED =
      Sql.of(
          """
      WITH done AS (
          UPDATE webhook_deliveries
          SET state = 'DELIVERED', finished_at = now(), last_status = :status, last_error = NULL
          WHERE delivery_id = :deliveryId AND attempts = :attempt AND state = 'PENDING'
          RETURNING job_id, attempts, last_status)
      INSERT INTO job_events (job_id, event, detail)
      SELECT job_id, 'WEBHOOK_DELIVERED', 'attempt ' || attempts || ', HTTP ' || last_status FROM done
      """);

  /** Marks the attempt delivered; 0 when the lease was lost and the row moved on meanwhile. */
  public int markDelivered(UUID deliveryId, int attempt, int status) {
    return DELIVERED
        .on(connection)
        .bind("deliveryId", deliveryId)
        .bind("attempt", attempt)
        .bind("status", status)
        .update();
  }

  private static final Sql RETRY =
      Sql.of(
          """
      UPDATE webhook_deliveries
      SET next_attempt_at = now() + make_interval(secs => :delaySeconds),
          last_status = :status::integer, last_error = :error
      WHERE delivery_id = :deliveryId AND attempts = :attempt AND state = 'PENDING'
      """);

  /** Schedules the next attempt after {@code delaySeconds}; 0 when the lease was lost. */
  public int scheduleRetry(
      UUID deliveryId, int attempt, Integer status, String error, double delaySeconds) {
    return RETRY
        .on(connection)
        .bind("deliveryId", deliveryId)
        .bind("attempt", attempt)
        .bind("status", status)
        .bind("error", error)
        .bind("delaySeconds", delaySeconds)
        .update();
  }

  private static final Sql FAILED =
      Sql.of(
          """
      WITH done AS (
          UPDATE webhook_deliveries
          SET state = 'FAILED', finished_at = now(), last_status = :status::integer, last_error = :error
          WHERE delivery_id = :deliveryId AND attempts = :attempt AND state = 'PENDING'
          RETURNING job_id, attempts, last_error)
      INSERT INTO job_events (job_id, event, detail)
      SELECT job_id, 'WEBHOOK_FAILED', 'gave up after ' || attempts || ' attempts: ' || last_error
      FROM done
      """);

  /** Gives the delivery up with its last error; 0 when the lease was lost. */
  public int markFailed(UUID deliveryId, int attempt, Integer status, String error) {
    return FAILED
        .on(connection)
        .bind("deliveryId", deliveryId)
        .bind("attempt", attempt)
        .bind("status", status)
        .bind("error", error)
        .update();
  }
}
