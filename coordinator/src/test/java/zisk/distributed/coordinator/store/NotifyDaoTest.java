package zisk.distributed.coordinator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.testing.TestDatabase;

/** The listening connection subscribes to every channel the coordinators notify on, and only. */
class NotifyDaoTest {

  @Test
  void theListenerListensOnEveryChannelAndNoOther() throws Exception {
    try (Connection listener = DriverManager.getConnection(TestDatabase.freshJdbcUrl())) {
      NotifyDao.listen(listener);
      NotifyDao.probe(listener, 5);

      Set<String> listening = new HashSet<>();
      try (Statement statement = listener.createStatement();
          ResultSet rows = statement.executeQuery("SELECT pg_listening_channels()")) {
        while (rows.next()) {
          listening.add(rows.getString(1));
        }
      }
      assertEquals(Set.copyOf(NotifyDao.CHANNELS), listening);
    }
  }
}
