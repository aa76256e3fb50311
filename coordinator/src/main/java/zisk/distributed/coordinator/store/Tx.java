package zisk.distributed.coordinator.store;

import java.sql.Connection;

/**
 * The data-access objects of one connection: one open transaction, or autocommit for reads and
 * single statements. A transition reads as calls on them.
 */
public record Tx(
    JobDao jobs,
    TaskDao tasks,
    SuccessDao successes,
    DispatchDao dispatch,
    ProverDao provers,
    InstanceDao instances,
    ClusterDao cluster,
    NotifyDao notifications,
    SessionSecretDao sessionSecrets,
    ProverListDao proverList,
    ProverPruningDao proverPruning,
    VacuumDao vacuum,
    DeadlineDao deadlines,
    QuarantineDao quarantine,
    RankDao ranks,
    WebhookDao webhooks,
    InputDao inputs,
    JobEventDao events) {

  static Tx on(Connection connection) {
    return new Tx(
        new JobDao(connection),
        new TaskDao(connection),
        new SuccessDao(connection),
        new DispatchDao(connection),
        new ProverDao(connection),
        new InstanceDao(connection),
        new ClusterDao(connection),
        new NotifyDao(connection),
        new SessionSecretDao(connection),
        new ProverListDao(connection),
        new ProverPruningDao(connection),
        new VacuumDao(connection),
        new DeadlineDao(connection),
        new QuarantineDao(connection),
        new RankDao(connection),
        new WebhookDao(connection),
        new InputDao(connection),
        new JobEventDao(connection));
  }
}
