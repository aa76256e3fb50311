package zisk.distributed.coordinator.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's packages depend one way: the gRPC edge on authentication and scheduling,
 * scheduling on the job lifecycle and the in-memory sessions, the lifecycle on the store. A
 * newcomer can read them bottom-up (metrics sits beside scheduling: it reads the lifecycle's
 * effects and the store's cluster counts), and a change in the store never reaches into the edge.
 */
class PackageDependenciesTest {

  private static final JavaClasses COORDINATOR =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("zisk.distributed.coordinator");

  @Test
  void packagesHaveNoCycles() {
    slices()
        .matching("zisk.distributed.coordinator.(*)..")
        .should()
        .beFreeOfCycles()
        .check(COORDINATOR);
  }

  @Test
  void eachLayerDependsOnlyOnTheLayersBelowIt() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("wiring")
        .definedBy("zisk.distributed.coordinator")
        .layer("api")
        .definedBy("zisk.distributed.coordinator.api..")
        .layer("auth")
        .definedBy("zisk.distributed.coordinator.auth..")
        .layer("health")
        .definedBy("zisk.distributed.coordinator.health..")
        .layer("scheduling")
        .definedBy("zisk.distributed.coordinator.scheduling..")
        .layer("metrics")
        .definedBy("zisk.distributed.coordinator.metrics..")
        .layer("lifecycle")
        .definedBy("zisk.distributed.coordinator.lifecycle..")
        .layer("session")
        .definedBy("zisk.distributed.coordinator.session..")
        .layer("store")
        .definedBy("zisk.distributed.coordinator.store..")
        .layer("verification")
        .definedBy("zisk.distributed.coordinator.verification..")
        .layer("verification")
        .definedBy("zisk.distributed.coordinator.verification..")
        .layer("config")
        .definedBy("zisk.distributed.coordinator.config..")
        .whereLayer("wiring")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("api")
        .mayOnlyBeAccessedByLayers("wiring")
        .whereLayer("auth")
        .mayOnlyBeAccessedByLayers("wiring", "api")
        .whereLayer("health")
        .mayOnlyBeAccessedByLayers("wiring", "api")
        .whereLayer("scheduling")
        .mayOnlyBeAccessedByLayers("wiring", "api")
        .whereLayer("metrics")
        .mayOnlyBeAccessedByLayers("wiring", "api", "scheduling")
        .whereLayer("lifecycle")
        .mayOnlyBeAccessedByLayers("wiring", "api", "scheduling", "metrics")
        .whereLayer("session")
        .mayOnlyBeAccessedByLayers("wiring", "api", "scheduling")
        .whereLayer("store")
        .mayOnlyBeAccessedByLayers("wiring", "api", "scheduling", "lifecycle", "metrics")
        .whereLayer("verification")
        .mayOnlyBeAccessedByLayers("wiring", "api", "scheduling", "lifecycle")
        .whereLayer("verification")
        .mayOnlyBeAccessedByLayers("wiring", "api", "scheduling", "lifecycle")
        .check(COORDINATOR);
  }
}
