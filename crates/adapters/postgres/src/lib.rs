//! The PostgreSQL adapter: diesel-async stores behind the ports, the unit of work with its row
//! locks, the transactional outbox and audit chain, embedded migrations, and encryption at rest.
//!
//! It translates and stores; it decides nothing. Every rule it serves is decided in the domain.

pub mod admin;
mod audit;
mod capabilities;
mod claims;
pub mod crypto;
mod error;
mod feed;
mod holding;
mod idempotency;
mod identity;
mod notifications;
mod pulled;
mod recheck;
mod retention;
mod rows;
mod schema;
#[cfg(test)]
mod schema_check;
pub mod seed;
mod store;
mod tx;
mod webhooks;

pub use capabilities::{CachedCapabilities, CapabilityCacheSettings};
pub use crypto::{CryptoSettings, Keyring};
pub use store::{CommitObserver, DatabaseSettings, PgStore};
