//! Outbound gateways and their sandbox twins. The sandbox twins are real implementations of the
//! same ports with deterministic, documented behaviour, for development and tests.
//!
//! This crate knows the ports and the domain; it decides no rule.

mod pacing;
mod registry;
mod sandbox_provider;
mod sms;
mod support;

pub use pacing::{Pacer, RateLimitedRegistry};
pub use registry::{HttpRegistry, RegistrySettings, SANDBOX_SNAPSHOT, SandboxRegistry};
pub use sandbox_provider::SandboxProviders;
pub use sms::{HttpSms, SandboxSms, SmsSettings};
pub use support::SandboxSupport;
