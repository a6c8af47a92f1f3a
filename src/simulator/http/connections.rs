//! Who holds the simulator's connections. At the cap, the oldest connection that is not serving a
//! request (idle between requests, or still sending its headers or its body) is closed to admit
//! the new one, so idle or slow sockets cannot lock clients out; only when every connection is serving a request
//! is the new one answered 503. A per-client-address limit keeps one client from taking every
//! place.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::task::AbortHandle;

/// The open connections.
pub(super) struct Connections {
    inner: Mutex<Inner>,
    max: usize,
    per_client: usize,
}

#[derive(Default)]
struct Inner {
    next: u64,
    open: BTreeMap<u64, Entry>,
}

struct Entry {
    peer: IpAddr,
    /// Requests the connection is serving now.
    busy: Arc<AtomicUsize>,
    /// Set once its task runs; a connection without one is just being admitted.
    abort: Option<AbortHandle>,
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Full {
    /// Every place is taken by a connection serving a request.
    Everyone(usize),
    /// This client holds its limit, each serving a request.
    ThisClient(usize),
}

/// A connection's place, given back when dropped (its task ended or was aborted).
pub(super) struct Ticket {
    id: u64,
    /// Requests it is serving now: the service counts them in and out.
    pub busy: Arc<AtomicUsize>,
    registry: Arc<Connections>,
}

impl Ticket {
    /// Its connection's number.
    pub(super) fn id(&self) -> u64 {
        self.id
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.registry.lock().open.remove(&self.id);
    }
}

/// Counts a request in while it is served.
pub(super) struct Serving(Arc<AtomicUsize>);

impl Serving {
    pub(super) fn start(busy: &Arc<AtomicUsize>) -> Serving {
        busy.fetch_add(1, Ordering::SeqCst);
        Serving(busy.clone())
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Connections {
    pub(super) fn new(max: usize, per_client: usize) -> Arc<Connections> {
        Arc::new(Connections {
            inner: Mutex::new(Inner::default()),
            max: max.max(1),
            per_client: per_client.max(1),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A place for a connection from `peer`, closing the oldest one not serving a request (this
    /// client's first, when it holds its limit) if that is what it takes.
    pub(super) fn admit(self: &Arc<Self>, peer: IpAddr) -> Result<Ticket, Full> {
        let mut inner = self.lock();
        let from_peer = inner.open.values().filter(|e| e.peer == peer).count();
        if from_peer >= self.per_client && !evict(&mut inner, Some(peer)) {
            return Err(Full::ThisClient(self.per_client));
        }
        if inner.open.len() >= self.max && !evict(&mut inner, None) {
            return Err(Full::Everyone(self.max));
        }
        let id = inner.next;
        inner.next += 1;
        let busy = Arc::new(AtomicUsize::new(0));
        inner.open.insert(
            id,
            Entry {
                peer,
                busy: busy.clone(),
                abort: None,
            },
        );
        Ok(Ticket {
            id,
            busy,
            registry: self.clone(),
        })
    }

    /// Records how to close the connection whose ticket is `id` (its task).
    pub(super) fn started(&self, id: u64, abort: AbortHandle) {
        if let Some(entry) = self.lock().open.get_mut(&id) {
            entry.abort = Some(abort);
        }
    }
}

/// Closes the oldest connection (of `peer`, if given) that runs and serves no request.
fn evict(inner: &mut Inner, peer: Option<IpAddr>) -> bool {
    let victim = inner
        .open
        .iter()
        .find(|(_, e)| {
            e.abort.is_some()
                && e.busy.load(Ordering::SeqCst) == 0
                && peer.is_none_or(|p| p == e.peer)
        })
        .map(|(id, _)| *id);
    let Some(id) = victim else {
        return false;
    };
    if let Some(entry) = inner.open.remove(&id) {
        if let Some(abort) = entry.abort {
            abort.abort();
        }
        tracing::info!("closed the oldest idle or unfinished connection to admit a new one");
    }
    true
}
