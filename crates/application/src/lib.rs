//! Use cases of realname: one per file, grouped by area. Each is a struct holding its ports
//! with one `execute`. The rules of SPEC.md live here and in the domain, never in adapters.
//!
//! This crate must not know any technology: no database driver, no web framework, no HTTP
//! client. It is unit-tested with mockall mocks of the ports.

pub mod accounts;
pub mod audit;
mod error;
pub mod events;
pub mod identity;
pub mod maintenance;
pub mod notifications;
pub mod progress;
pub mod real_name;
pub mod recheck;
pub mod review;
pub mod verification;

mod access;
mod approval;
mod inheritance;
mod record;
#[cfg(test)]
mod testing;

pub use error::AppError;
