package zisk.distributed.coordinator.store;

import java.util.Arrays;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the schema to the version this coordinator knows (db/migrations, shipped in the jar), or
 * refuses to run against a schema it does not know.
 */
public final class Migrations {

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private final Flyway flyway;

  public Migrations(DataSource dataSource) {
    this.flyway =
        Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/migration")
            // Flyway ignores migrations it does not know by default; we want to hear about them.
            .ignoreMigrationPatterns("")
            .validateMigrationNaming(true)
            .load();
  }

  /**
   * Applies pending migrations when {@code migrate} is true, then checks that the schema is exactly
   * what this coordinator expects.
   *
   * @throws SchemaMismatchException when the database is newer than this coordinator, or (with
   *     migration off) older
   */
  public void prepare(boolean migrate) {
    refuseFutureSchema();
    if (migrate) {
      var result = flyway.migrate();
      if (result.migrationsExecuted > 0) {
        log.info(
            "Applied {} migration(s); schema now at version {}",
            result.migrationsExecuted,
            result.targetSchemaVersion);
      }
    } else {
      MigrationInfo[] pending = flyway.info().pending();
      if (pending.length > 0) {
        throw new SchemaMismatchException(
            "the database schema is behind this coordinator ("
                + pending.length
                + " pending migration(s), starting with "
                + describe(pending[0])
                + ") and migration on start is off; run once with database.migrate = true (--migrate)");
      }
    }
    flyway.validate();
  }

  /** The version the schema is at now, if any migration ran. */
  public Optional<String> currentVersion() {
    MigrationInfo current = flyway.info().current();
    return Optional.ofNullable(current)
        .map(info -> info.getVersion() == null ? "repeatable" : info.getVersion().getVersion());
  }

  private void refuseFutureSchema() {
    MigrationInfo[] applied = flyway.info().applied();
    Optional<MigrationInfo> future =
        Arrays.stream(applied)
            .filter(
                info ->
                    info.getState() == MigrationState.FUTURE_SUCCESS
                        || info.getState() == MigrationState.FUTURE_FAILED)
            .findFirst();
    if (future.isPresent()) {
      MigrationVersion known = latestKnownVersion();
      throw new SchemaMismatchException(
          "the database schema ("
              + describe(future.get())
              + ") is newer than this coordinator knows (up to version "
              + known
              + "); upgrade the coordinator instead of running an old one against this database");
    }
  }

  private MigrationVersion latestKnownVersion() {
    return Arrays.stream(flyway.info().all())
        .filter(
            info ->
                info.getState() != MigrationState.FUTURE_SUCCESS
                    && info.getState() != MigrationState.FUTURE_FAILED)
        .map(MigrationInfo::getVersion)
        .filter(v -> v != null)
        .max(MigrationVersion::compareTo)
        .orElse(MigrationVersion.EMPTY);
  }

  private static String describe(MigrationInfo info) {
    return (info.getVersion() == null ? "repeatable" : "version " + info.getVersion())
        + " "
        + info.getDescription();
  }

  /** The schema is not the one this coordinator was built for. */
  public static final class SchemaMismatchException extends RuntimeException {
    public SchemaMismatchException(String message) {
      super(message);
    }
  }
}
