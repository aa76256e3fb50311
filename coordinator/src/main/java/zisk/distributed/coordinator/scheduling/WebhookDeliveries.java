package zisk.distributed.coordinator.scheduling;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.common.concurrent.DaemonThreads;
import zisk.distributed.coordinator.config.WebhookConfig;
import zisk.distributed.coordinator.store.Store;
import zisk.distributed.coordinator.store.WebhookDao.Delivery;

/**
 * The delivery loop of the webhook outbox ({@code webhook_deliveries}). Any coordinator may run it:
 * each attempt is claimed in the database with a lease (the timeout plus a margin), so two
 * coordinators never send one attempt at once, and a coordinator that dies mid-send leaves the row
 * to whoever claims it after the lease. A 2xx marks the delivery DELIVERED; anything else retries
 * with exponential back-off until {@code webhooks.max_attempts}, then marks it FAILED. Delivery is
 * at least once: a receiver that answered 2xx just before a crash may get the same Idempotency-Key
 * again. Woken by {@link #wake} (NOTIFY zisk_webhook, sent by the trigger that queues a delivery)
 * and by a short poll, which also catches retries coming due.
 */
public final class WebhookDeliveries implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WebhookDeliveries.class);
  static final int BATCH = 16;
  static final Duration LEASE_MARGIN = Duration.ofSeconds(30);

  private final Store store;
  private final UUID instanceId;
  private final WebhookConfig config;
  private final WebhookSender sender;
  private final Duration poll;
  private final Consumer<String> outcomes;
  private final Semaphore wakeUps = new Semaphore(0);
  private volatile boolean running = true;
  private Thread loop;

  /**
   * @param outcomes told of each attempt's outcome (delivered, rejected, error) and of each
   *     delivery given up (gave_up): metrics
   */
  public WebhookDeliveries(
      Store store,
      UUID instanceId,
      WebhookConfig config,
      Duration poll,
      Clock clock,
      Consumer<String> outcomes) {
    this.outcomes = outcomes;
    this.store = store;
    this.instanceId = instanceId;
    this.config = config;
    this.sender = new WebhookSender(config.secret(), config.timeout(), clock);
    this.poll = poll;
  }

  public void start() {
    loop = DaemonThreads.named("coordinator-webhooks").newThread(this::run);
    loop.start();
  }

  /** A delivery may be due: look now rather than at the next poll. */
  public void wake() {
    wakeUps.release();
  }

  private void run() {
    while (running) {
      int handled = 0;
      try {
        handled = deliverDue();
      } catch (RuntimeException e) {
        log.debug("Webhook delivery round failed (retrying at the next poll): {}", e.getMessage());
      }
      if (handled < BATCH) {
        try {
          wakeUps.tryAcquire(poll.toMillis(), TimeUnit.MILLISECONDS);
          wakeUps.drainPermits();
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Claims the due deliveries (one batch), sends them at once, records each outcome. */
  int deliverDue() {
    long leaseSeconds = config.timeout().plus(LEASE_MARGIN).toSeconds();
    List<Delivery> due = store.read(tx -> tx.webhooks().claimDue(instanceId, leaseSeconds, BATCH));
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (Delivery delivery : due) {
      sent.add(sender.send(delivery).thenAccept(outcome -> record(delivery, outcome)));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    return due.size();
  }

  private void record(Delivery delivery, WebhookSender.Outcome outcome) {
    outcomes.accept(
        outcome.delivered() ? "delivered" : outcome.status() != null ? "rejected" : "error");
    if (!outcome.delivered() && delivery.attempt() >= config.maxAttempts()) {
      outcomes.accept("gave_up");
    }
    try {
      int changed;
      if (outcome.delivered()) {
        changed =
            store.read(
                tx ->
                    tx.webhooks()
                        .markDelivered(
                            delivery.deliveryId(), delivery.attempt(), outcome.status()));
        log.debug(
            "Webhook of job {} delivered (attempt {}, HTTP {})",
            delivery.jobId(),
            delivery.attempt(),
            outcome.status());
      } else if (delivery.attempt() >= config.maxAttempts()) {
        changed =
            store.read(
                tx ->
                    tx.webhooks()
                        .markFailed(
                            delivery.deliveryId(),
                            delivery.attempt(),
                            outcome.status(),
                            outcome.error()));
        log.warn(
            "Webhook of job {} failed for good after {} attempts: {}",
            delivery.jobId(),
            delivery.attempt(),
            outcome.error());
      } else {
        Duration delay = config.backoffAfter(delivery.attempt());
        changed =
            store.read(
                tx ->
                    tx.webhooks()
                        .scheduleRetry(
                            delivery.deliveryId(),
                            delivery.attempt(),
                            outcome.status(),
                            outcome.error(),
                            delay.toMillis() / 1000.0));
        log.info(
            "Webhook of job {} attempt {} failed ({}); retrying in {} s",
            delivery.jobId(),
            delivery.attempt(),
            outcome.error(),
            delay.toSeconds());
      }
      if (changed == 0) {
        // The lease ran out during the send and another coordinator claimed the row again.
        log.debug(
            "Webhook of job {} attempt {} outlived its lease; its outcome is not recorded",
            delivery.jobId(),
            delivery.attempt());
      }
    } catch (RuntimeException e) {
      // Unrecorded: the row is retried once its lease passes (at least once).
      log.warn(
          "Could not record the webhook outcome of job {}: {}", delivery.jobId(), e.getMessage());
    }
  }

  @Override
  public void close() {
    running = false;
    if (loop != null) {
      loop.interrupt();
    }
  }
}
