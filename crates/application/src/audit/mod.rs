//! The R22 audit log: export and verification.

mod get_audit_log;
mod verify_audit_chains;

pub use get_audit_log::{AuditLog, GetAuditLog};
pub use verify_audit_chains::{ChainReport, VerifyAuditChains};
