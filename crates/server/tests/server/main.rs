//! One test binary for the crate, so the stack links once; each file is a module.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit_cli;
mod common;
mod crash;
mod notification_crash;
mod recheck_cli;
mod webhook_crash;
