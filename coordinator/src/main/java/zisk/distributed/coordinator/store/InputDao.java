package zisk.distributed.coordinator.store;

import java.sql.Connection;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of uploaded inputs ({@code inputs}, {@code input_uploads}, {@code input_chunks}). An
 * upload writes its chunks under a pending upload id, one autocommitted row at a time, and becomes
 * an input in one statement at its end ({@link #publish}), so nothing half-written is ever visible.
 */
public final class InputDao {

  private final Connection connection;

  InputDao(Connection connection) {
    this.connection = connection;
  }

  /** A stored input: its id (the SHA-256 of its bytes, hex), size, and where its chunks are. */
  public record StoredInput(String inputId, long sizeBytes, UUID uploadId) {}

  private static final Sql START_UPLOAD =
      Sql.of("INSERT INTO input_uploads DEFAULT VALUES RETURNING upload_id");

  /** A new pending upload. */
  public UUID startUpload() {
    return START_UPLOAD.on(connection).one(row -> Sql.uuid(row, "upload_id"));
  }

  private static final Sql ADD_CHUNK =
      Sql.of(
          """
      WITH touched AS (UPDATE input_uploads SET updated_at = now() WHERE upload_id = :uploadId RETURNING upload_id)
      INSERT INTO input_chunks (upload_id, seq, bytes) SELECT upload_id, :seq, :bytes FROM touched
      """);

  /** Appends a chunk to a pending upload; 0 when the upload is gone (cleaned up meanwhile). */
  public int addChunk(UUID uploadId, int seq, byte[] bytes) {
    return ADD_CHUNK
        .on(connection)
        .bind("uploadId", uploadId)
        .bind("seq", seq)
        .bind("bytes", bytes)
        .update();
  }

  private static final Sql PUBLISH =
      Sql.of(
          """
      INSERT INTO inputs (input_id, upload_id, size_bytes) VALUES (:inputId, :uploadId, :sizeBytes)
      ON CONFLICT (input_id) DO NOTHING
      """);

  /**
   * Makes a finished upload the input {@code inputId}: 1, or 0 when these bytes were stored already
   * (by an earlier or a concurrent upload, which then wins; this upload is to be dropped).
   */
  public int publish(String inputId, UUID uploadId, long sizeBytes) {
    return PUBLISH
        .on(connection)
        .bind("inputId", inputId)
        .bind("uploadId", uploadId)
        .bind("sizeBytes", sizeBytes)
        .update();
  }

  private static final Sql DROP_UPLOAD =
      Sql.of(
          """
      DELETE FROM input_uploads u WHERE u.upload_id = :uploadId
        AND NOT EXISTS (SELECT 1 FROM inputs i WHERE i.upload_id = u.upload_id)
      """);

  /** Deletes a pending upload and its chunks (never a published one). */
  public int dropUpload(UUID uploadId) {
    return DROP_UPLOAD.on(connection).bind("uploadId", uploadId).update();
  }

  private static final Sql TOUCH =
      Sql.of(
          """
      UPDATE inputs SET last_used_at = now() WHERE input_id = :inputId
      RETURNING input_id, size_bytes, upload_id
      """);

  /**
   * Marks the input used now and answers it; empty when it is not stored. In a launch's
   * transaction, the row lock also holds off a concurrent deletion until the job is committed.
   */
  public Optional<StoredInput> touch(String inputId) {
    return TOUCH.on(connection).bind("inputId", inputId).optional(InputDao::stored);
  }

  private static final Sql FIND =
      Sql.of("SELECT input_id, size_bytes, upload_id FROM inputs WHERE input_id = :inputId");

  public Optional<StoredInput> find(String inputId) {
    return FIND.on(connection).bind("inputId", inputId).optional(InputDao::stored);
  }

  private static final Sql CHUNK =
      Sql.of(
          """
      SELECT seq, bytes FROM input_chunks WHERE upload_id = :uploadId AND seq > :afterSeq
      ORDER BY seq LIMIT 1
      """);

  /** A chunk read on its own, so a download never holds more than one in memory. */
  public record Chunk(int seq, byte[] bytes) {}

  /** The chunk after {@code afterSeq} (-1 for the first); empty at the end. */
  public Optional<Chunk> chunkAfter(UUID uploadId, int afterSeq) {
    return CHUNK
        .on(connection)
        .bind("uploadId", uploadId)
        .bind("afterSeq", afterSeq)
        .optional(row -> new Chunk(row.getInt("seq"), row.getBytes("bytes")));
  }

  /**
   * Deletes inputs unused for the retention period that no QUEUED or RUNNING job needs. Safe with
   * several coordinators at once: a row a launch has just touched is locked until the launch
   * commits, and PostgreSQL then checks the WHERE again on its new version and skips it, so a
   * launched input is never deleted under its job.
   */
  private static final Sql EXPIRE =
      Sql.of(
          """
      DELETE FROM inputs i
      WHERE i.last_used_at < now() - make_interval(secs => :retentionSeconds)
        AND NOT EXISTS (SELECT 1 FROM jobs j
                        WHERE j.input_id = i.input_id AND j.state IN ('QUEUED', 'RUNNING'))
      """);

  /** Answers the inputs deleted; their chunks go with {@link #dropOrphans}. */
  public int expire(Duration retention) {
    return EXPIRE.on(connection).bind("retentionSeconds", (double) retention.toSeconds()).update();
  }

  private static final Sql DROP_ORPHANS =
      Sql.of(
          """
      DELETE FROM input_uploads u
      WHERE u.updated_at < now() - make_interval(secs => :idleSeconds)
        AND NOT EXISTS (SELECT 1 FROM inputs i WHERE i.upload_id = u.upload_id)
      """);

  /**
   * Deletes, with their chunks, uploads idle for {@code idle} that are no input: a broken upload
   * whose coordinator died before it could clean up, or the bytes of an expired input.
   */
  public int dropOrphans(Duration idle) {
    return DROP_ORPHANS.on(connection).bind("idleSeconds", (double) idle.toSeconds()).update();
  }

  private static StoredInput stored(java.sql.ResultSet row) throws java.sql.SQLException {
    return new StoredInput(
        row.getString("input_id"), row.getLong("size_bytes"), Sql.uuid(row, "upload_id"));
  }
}
