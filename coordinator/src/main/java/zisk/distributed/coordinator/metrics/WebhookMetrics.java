package zisk.distributed.coordinator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Set;

/**
 * Webhook deliveries by outcome ({@code zisk_webhook_deliveries_total}), exported at 0 before the
 * first one. The webhook sender calls {@link #delivered} once per delivery attempt.
 */
public final class WebhookMetrics {

  /** The outcomes a delivery may have; anything else is counted as {@code error}. */
  public static final Set<String> OUTCOMES = Set.of("delivered", "rejected", "error", "gave_up");

  private final MeterRegistry registry;

  public WebhookMetrics(MeterRegistry registry) {
    this.registry = registry;
    OUTCOMES.forEach(this::counter);
  }

  /**
   * @param outcome delivered (2xx), rejected (other status), error (no answer) or gave_up (no
   *     attempts left)
   */
  public void delivered(String outcome) {
    String label = outcome.toLowerCase(Locale.ROOT);
    counter(OUTCOMES.contains(label) ? label : "error").increment();
  }

  private Counter counter(String outcome) {
    return Counter.builder("zisk.webhook.deliveries")
        .description("Webhook delivery attempts by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }
}
