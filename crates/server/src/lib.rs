//! The `realname` service: configuration, telemetry and wiring. The binary in `main.rs` only
//! parses the command line and calls in here, so e2e tests start the very same service.

pub mod cli;
pub mod commands;
pub mod progress;
pub mod settings;
pub mod startup;
pub mod telemetry;

pub use settings::Settings;
pub use startup::Application;
