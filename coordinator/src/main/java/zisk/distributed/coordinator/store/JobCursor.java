package zisk.distributed.coordinator.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import zisk.distributed.common.rules.Uuids;

/**
 * Position in the newest-first job list: the (created_at, job_id) of the last job of a page. Keyset
 * paging keeps pages stable while new jobs arrive.
 */
public record JobCursor(Instant createdAt, UUID jobId) {

  /** An opaque token for {@code next_page_token}. */
  public String encode() {
    long micros = createdAt.getEpochSecond() * 1_000_000L + createdAt.getNano() / 1_000;
    String raw = micros + "|" + jobId;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses a token; empty when it is not one this server produced. */
  public static Optional<JobCursor> decode(String token) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      if (bar < 0) {
        return Optional.empty();
      }
      long micros = Long.parseLong(raw.substring(0, bar));
      Instant at =
          Instant.ofEpochSecond(
              Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
      return Uuids.parse(raw.substring(bar + 1)).map(jobId -> new JobCursor(at, jobId));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
