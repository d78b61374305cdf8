//! Outbound gateways and their sandbox twins. The sandbox twins are real implementations of the
//! same ports with deterministic, documented behaviour, for development and tests.
//!
//! This crate knows the ports and the domain; it decides no rule.

mod sandbox_provider;

pub use sandbox_provider::SandboxProviders;
