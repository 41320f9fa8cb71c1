use crate::stats::QueryStats;

/// The base database trait every language crate extends.
#[salsa::db]
pub trait Db: salsa::Database {
    /// Counters of query executions, fed by salsa's `WillExecute` events.
    fn query_stats(&self) -> &QueryStats;
}
