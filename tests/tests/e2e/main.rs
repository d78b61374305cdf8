//! One test binary for the crate, so the stack links once; each file is a module.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod authorization;
mod capability_cache;
mod console;
mod contract;
mod enterprise;
mod idempotency;
mod identity;
mod lifecycle;
mod modification;
mod production;
mod providers;
mod rate_limits;
mod security;
mod sub_accounts;
mod verification;
mod webhooks;
