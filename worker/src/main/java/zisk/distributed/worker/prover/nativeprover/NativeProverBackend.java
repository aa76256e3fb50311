package zisk.distributed.worker.prover.nativeprover;

import java.time.Duration;
import java.util.Random;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.ChallengesList;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.FinalProofList;
import zisk.distributed.api.v1.ProofList;
import zisk.distributed.api.v1.ProveParams;
import zisk.distributed.common.concurrent.Backoff;
import zisk.distributed.common.inputs.InputFile;
import zisk.distributed.common.rules.SafeText;
import zisk.distributed.worker.config.NativeProverConfig;
import zisk.distributed.worker.prover.ProgressListener;
import zisk.distributed.worker.prover.ProverBackend;

/**
 * The production backend: drives a long-lived prover program through the line-delimited JSON
 * contract ({@code NATIVE_PROVER.md}): one request per task, the task's time limit, {@code cancel}
 * when the job is cancelled or the limit passes, and a kill and restart of the process when a
 * request does not end within the cancel grace.
 *
 * <p>The process is started when the backend is built; {@link #isReady()} is false until it says
 * {@code ready} and while it is being replaced, and the worker registers only while it is true. The
 * phase methods run on the worker's task thread, one at a time ({@code TaskRunner}).
 */
public final class NativeProverBackend implements ProverBackend {

  private static final Logger log = LoggerFactory.getLogger(NativeProverBackend.class);

  private final NativeProverConfig config;
  private final String proverId;
  private final ProverSupervisor supervisor;

  /** The job whose state the prover holds, as far as this worker knows. Task thread only. */
  private String heldJobId;

  /**
   * Starts the prover program.
   *
   * @param restartBackoff base and cap of the back-off between restarts
   */
  public NativeProverBackend(
      NativeProverConfig config, String proverId, Duration restartBase, Duration restartCap) {
    if (config.command().isEmpty()) {
      throw new IllegalArgumentException("the native backend needs a prover command");
    }
    this.config = config;
    this.proverId = proverId;
    this.supervisor =
        new ProverSupervisor(config, proverId, new Backoff(restartBase, restartCap, new Random()));
    supervisor.start();
  }

  @Override
  public ChallengesList contribute(String jobId, ContributionParams params, InputFile input)
      throws Exception {
    heldJobId = jobId;
    return call(
        "contribute",
        jobId,
        config.timeouts().contribute(),
        (writer, id) -> writer.contribute(id, jobId, params, input.path()),
        ProverReply.Result::challenges);
  }

  @Override
  public ProofList prove(String jobId, ProveParams params) throws Exception {
    return call(
        "prove",
        jobId,
        config.timeouts().prove(),
        (writer, id) -> writer.prove(id, jobId, params),
        ProverReply.Result::proofs);
  }

  @Override
  public FinalProofList aggregate(String jobId, AggParams params) throws Exception {
    return call(
        "aggregate",
        jobId,
        config.timeouts().aggregate(),
        (writer, id) -> writer.aggregate(id, jobId, params),
        ProverReply.Result::finalProofs);
  }

  /** Tells the prover to forget the job ({@code cancel}), if it may still hold it. */
  @Override
  public void release(String jobId) {
    if (!jobId.equals(heldJobId)) {
      return;
    }
    heldJobId = null;
    ProverProcess process = supervisor.ready();
    if (process == null) {
      return;
    }
    Exchange cancel = process.send("cancel", jobId, (writer, id) -> writer.cancel(id, jobId));
    if (!cancel.endsBy(System.nanoTime() + config.cancelGrace().toNanos())) {
      supervisor.replace(
          process,
          "it did not answer cancel of job "
              + SafeText.shorten(jobId)
              + " within the cancel grace of "
              + config.cancelGrace().toSeconds()
              + " s");
    }
  }

  @Override
  public boolean isReady() {
    return supervisor.ready() != null;
  }

  /** The contract's {@code progress} messages of a running request go to {@code listener}. */
  @Override
  public void onProgress(ProgressListener listener) {
    supervisor.onProgress(listener);
  }

  @Override
  public void onReadyChange(Runnable listener) {
    supervisor.onReadyChange(listener);
  }

  /** Sends {@code shutdown} and stops the process (killing it if it does not exit). */
  @Override
  public void close() {
    supervisor.close();
  }

  /** One request, its time limit, and the cancel or replacement when it does not end. */
  private <T> T call(
      String type,
      String jobId,
      Duration limit,
      ProverProcess.Request request,
      Function<ProverReply.Result, T> payload)
      throws Exception {
    ProverProcess process = supervisor.ready();
    if (process == null) {
      throw new IllegalStateException(
          "the native prover is not ready (starting, or being replaced after a failure)");
    }
    Exchange exchange = process.send(type, jobId, request);
    ProverReply reply;
    try {
      reply = exchange.await(limit);
    } catch (InterruptedException e) {
      stop(process, exchange, "the job was cancelled");
      throw e;
    } catch (ProverGoneException e) {
      heldJobId = null;
      throw new IllegalStateException("the prover process failed: " + e.getMessage());
    }
    if (reply == null) {
      String why = type + " outlived its time limit of " + limit.toSeconds() + " s";
      stop(process, exchange, why);
      throw new IllegalStateException(why);
    }
    if (reply instanceof ProverReply.Failure failure) {
      heldJobId = failure.fatal() ? null : heldJobId;
      throw new IllegalStateException(
          "the prover failed "
              + type
              + ": "
              + SafeText.clean(failure.code(), SafeText.MAX_QUOTED)
              + ": "
              + SafeText.clean(failure.message(), SafeText.MAX_ERROR_MESSAGE));
    }
    T value = payload.apply((ProverReply.Result) reply);
    if (value == null) {
      String why = "it answered " + type + " with a result without its payload";
      supervisor.replace(process, why);
      throw new IllegalStateException("the prover process failed: " + why);
    }
    supervisor.served();
    return value;
  }

  /**
   * Ends a request that must not go on: {@code cancel}, then the cancel grace for the request and
   * the cancel to end; a prover that cannot cancel, or does not in time, is replaced.
   */
  private void stop(ProverProcess process, Exchange exchange, String why) {
    heldJobId = null;
    if (!process.softCancel()) {
      supervisor.replace(process, why + " and it cannot cancel a request (soft_cancel false)");
      return;
    }
    log.info(
        "prover {} job {}: cancelling the prover's {} ({})",
        proverId,
        SafeText.shorten(exchange.jobId()),
        exchange.type(),
        why);
    Exchange cancel =
        process.send(
            "cancel", exchange.jobId(), (writer, id) -> writer.cancel(id, exchange.jobId()));
    long deadline = System.nanoTime() + config.cancelGrace().toNanos();
    if (!exchange.endsBy(deadline) || !cancel.endsBy(deadline)) {
      supervisor.replace(
          process,
          why
              + " and the request did not end within the cancel grace of "
              + config.cancelGrace().toSeconds()
              + " s");
    }
  }
}
