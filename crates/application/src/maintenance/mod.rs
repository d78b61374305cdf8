//! Housekeeping jobs.

mod prune_idempotency_keys;

pub use prune_idempotency_keys::{
    IDEMPOTENCY_KEY_LIFETIME, IDEMPOTENCY_LEASE, PruneIdempotencyKeys,
};
