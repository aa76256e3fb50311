package zisk.distributed.coordinator.store;

import java.util.List;
import java.util.Optional;

/** One page of jobs, newest first, and where the next page starts. */
public record JobPage(List<Job> jobs, Optional<JobCursor> next) {}
