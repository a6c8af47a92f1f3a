//! The thread the simulator's calls run on, one after another.
//!
//! A call on a state file may wait on the disk, so it does not run on a runtime thread. One
//! thread rather than the blocking pool: the store has one connection, so calls run one at a time
//! anyway, and queued calls cost nothing, where a thread each would wake, contend for the
//! connection's lock and sleep again. In memory too: measured, the runtime's threads then spend
//! their time on connections instead of waiting for the store's lock.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

type Job = Box<dyn FnOnce() + Send>;

/// Runs closures on its thread, in the order given; the thread ends when this is dropped.
#[derive(Debug)]
pub(super) struct Worker {
    jobs: mpsc::Sender<Job>,
}

impl Worker {
    pub(super) fn start() -> std::io::Result<Worker> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sips-wallet-state".into())
            .spawn(move || {
                for job in queue {
                    // A call that panicked loses its answer (its caller sees the connection
                    // dropped), not the thread.
                    let _ = catch_unwind(AssertUnwindSafe(job));
                }
            })?;
        Ok(Worker { jobs })
    }

    /// `f`'s result, once the thread ran it; `None` if it panicked.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(f());
        });
        self.jobs.send(job).ok()?;
        result.await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::Worker;

    #[tokio::test]
    async fn runs_in_order_and_outlives_a_panic() {
        let worker = Worker::start().expect("thread");
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        for i in 0..3 {
            let order = order.clone();
            assert_eq!(
                worker
                    .run(move || order.lock().map(|mut o| o.push(i)).is_ok())
                    .await,
                Some(true)
            );
        }
        assert_eq!(
            worker.run(|| -> u8 { panic!("a call that panics") }).await,
            None
        );
        assert_eq!(worker.run(|| 7).await, Some(7));
        assert_eq!(*order.lock().expect("not poisoned"), vec![0, 1, 2]);
    }
}
