//! One test binary for the crate, so the stack links once; each file is a module.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod capability_cache;
mod common;
mod enterprise;
mod idempotency;
mod pulled;
mod recheck;
mod store;
mod webhooks;
