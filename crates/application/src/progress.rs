//! How a long run reports its advance to whoever drives it: a command's progress display
//! (issue 15 item 13). Use cases only count; how it is shown is the caller's business.

/// Observes a long run.
pub trait Progress: Send + Sync {
    /// The run has about `total` items to do.
    fn begin(&self, total: u64);
    /// `done` more items are done.
    fn advance(&self, done: u64);
}

#[cfg(test)]
pub(crate) mod recorded {
    use std::sync::Mutex;

    use super::Progress;

    /// Keeps what it was told: the total, and every advance.
    #[derive(Default)]
    pub struct Recorded {
        pub told: Mutex<(Option<u64>, Vec<u64>)>,
    }

    impl Recorded {
        /// The total, and the sum of the advances.
        pub fn seen(&self) -> (Option<u64>, u64) {
            let told = self.told.lock().unwrap();
            (told.0, told.1.iter().sum())
        }
    }

    impl Progress for Recorded {
        fn begin(&self, total: u64) {
            self.told.lock().unwrap().0 = Some(total);
        }
        fn advance(&self, done: u64) {
            self.told.lock().unwrap().1.push(done);
        }
    }
}
