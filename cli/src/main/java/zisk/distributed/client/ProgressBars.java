package zisk.distributed.client;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import zisk.distributed.api.v1.JobEvent;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.TaskProgress;

/**
 * Live bars on a terminal (me.tongfei:progressbar): one per phase (its tasks done out of those
 * dispatched) and one per running task, by phase and rank (the fraction its prover reports). The
 * newest notable event (a failure, a lost prover) shows beside its phase's bar.
 */
public final class ProgressBars implements ProgressView {

  private final PrintWriter out;
  private final Map<String, ProgressBar> phases = new LinkedHashMap<>();
  private final Map<String, long[]> phaseCounts = new LinkedHashMap<>();
  private final Map<String, ProgressBar> tasks = new LinkedHashMap<>();
  private String state = "";

  public ProgressBars(PrintWriter out) {
    this.out = out;
  }

  @Override
  public synchronized void status(JobStatus job) {
    String now = job.getState() + " " + job.getPhase();
    if (!now.equals(state)) {
      state = now;
      out.println(
          job.getState().equals("QUEUED")
              ? "Queued: " + PlainLines.clean(job.getWaitingReason())
              : job.getState() + " " + job.getPhase());
      out.flush();
    }
  }

  @Override
  public synchronized void event(JobEvent event) {
    String phase = event.getPhase();
    if (phase.isEmpty()) {
      return;
    }
    long[] counts = phaseCounts.computeIfAbsent(phase, p -> new long[2]);
    ProgressBar bar = phases.computeIfAbsent(phase, this::phaseBar);
    switch (event.getKind()) {
      case "TASK_DISPATCHED" -> counts[1]++;
      case "TASK_SUCCEEDED" -> counts[0]++;
      case "TASK_FAILED", "TASK_TIMED_OUT", "PROVER_LOST", "RANK_LOST", "RANK_REPLACED" ->
          bar.setExtraMessage(" " + event.getKind() + " " + PlainLines.clean(event.getProverId()));
      case "REQUEUED" -> {
        counts[0] = 0;
        counts[1] = 0;
        bar.setExtraMessage(" requeued");
      }
      default -> {
        // LAUNCHED, STARTED, PHASE_STARTED and kinds added later change no count
      }
    }
    bar.maxHint(Math.max(1, counts[1]));
    bar.stepTo(counts[0]);
  }

  @Override
  public synchronized void progress(TaskProgress progress) {
    String name = PlainLines.taskName(progress);
    ProgressBar bar =
        tasks.computeIfAbsent(
            name,
            n ->
                new ProgressBarBuilder()
                    .setTaskName(n)
                    .setInitialMax(100)
                    .setUnit("%", 1)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .build());
    bar.stepTo(Math.round(100 * Math.max(0, Math.min(1, progress.getFraction()))));
    if (!progress.getText().isEmpty()) {
      bar.setExtraMessage(" " + PlainLines.clean(progress.getText()));
    }
  }

  @Override
  public synchronized void reconnecting(String fromUrl, String toUrl, String reason) {
    phases.values().forEach(bar -> bar.setExtraMessage(" resuming at " + toUrl));
  }

  @Override
  public synchronized void finished(JobStatus job) {
    close();
    out.println(
        job.getState()
            + " job "
            + job.getJobId()
            + (job.hasError() ? ": " + PlainLines.clean(job.getError().getMessage()) : ""));
  }

  @Override
  public synchronized void close() {
    tasks.values().forEach(ProgressBar::close);
    phases.values().forEach(ProgressBar::close);
    tasks.clear();
    phases.clear();
  }

  private ProgressBar phaseBar(String phase) {
    return new ProgressBarBuilder()
        .setTaskName(phase)
        .setInitialMax(1)
        .setUnit(" tasks", 1)
        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
        .build();
  }
}
