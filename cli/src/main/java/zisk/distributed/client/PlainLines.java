package zisk.distributed.client;

import com.google.protobuf.Timestamp;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import zisk.distributed.api.v1.JobEvent;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.TaskProgress;
import zisk.distributed.api.v1.TaskType;
import zisk.distributed.common.rules.SafeText;

/**
 * One timestamped line per status, event and progress step: for logs and pipes (not a terminal).
 * Text from the coordinator is cleaned (no control characters reach the output) and bounded.
 */
public final class PlainLines implements ProgressView {

  /** UTC, always with milliseconds, so the lines line up. */
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final PrintWriter out;
  private final Clock clock;

  public PlainLines(PrintWriter out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  @Override
  public void status(JobStatus job) {
    line(
        now(),
        "%-9s job %s block %s%s%s",
        job.getState(),
        job.getJobId(),
        clean(job.getBlockId()),
        job.getPhase().isEmpty() ? "" : " phase " + job.getPhase(),
        job.getWaitingReason().isEmpty() ? "" : " (" + clean(job.getWaitingReason()) + ")");
  }

  @Override
  public void event(JobEvent event) {
    StringBuilder text =
        new StringBuilder(String.format("%-9s %-15s", event.getState(), event.getKind()));
    if (!event.getPhase().isEmpty()) {
      text.append(' ').append(event.getPhase());
    }
    if (!event.getProverId().isEmpty()) {
      text.append(" prover ").append(clean(event.getProverId()));
    }
    if (!event.getDetail().isEmpty()) {
      text.append(": ").append(clean(event.getDetail()));
    }
    line(event.hasAt() ? instant(event.getAt()) : now(), "%s", text);
  }

  /**
   * "PHASE rank N prover P" for a contribution, "PHASE prover P" otherwise: only a contribution's
   * progress carries its rank (a PROVE request names none; AGGREGATE has one task).
   */
  static String taskName(TaskProgress progress) {
    return progress.getTaskType()
        + (progress.getTaskType() == TaskType.PARTIAL_CONTRIBUTION
            ? " rank " + progress.getRank()
            : "")
        + " prover "
        + clean(progress.getProverId());
  }

  @Override
  public void progress(TaskProgress progress) {
    line(
        now(),
        "RUNNING   PROGRESS        %s %3.0f%%%s",
        taskName(progress),
        100 * Math.max(0, Math.min(1, progress.getFraction())),
        progress.getText().isEmpty() ? "" : " " + clean(progress.getText()));
  }

  @Override
  public void reconnecting(String fromUrl, String toUrl, String reason) {
    line(now(), "the stream from %s broke (%s); resuming at %s", fromUrl, reason, toUrl);
  }

  @Override
  public void finished(JobStatus job) {
    line(
        now(),
        "%-9s job %s%s",
        job.getState(),
        job.getJobId(),
        job.hasError() ? ": " + clean(job.getError().getMessage()) : "");
  }

  @Override
  public void close() {
    out.flush();
  }

  private void line(Instant at, String format, Object... args) {
    out.println(TIME.format(at) + "  " + String.format(Locale.ROOT, format, args));
  }

  private Instant now() {
    return clock.instant();
  }

  static Instant instant(Timestamp at) {
    return Instant.ofEpochSecond(at.getSeconds(), at.getNanos());
  }

  static String clean(String untrusted) {
    return SafeText.clean(untrusted, SafeText.MAX_REASON);
  }
}
