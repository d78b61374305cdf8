//! The realname domain: identifiers, subjects, accounts, applications and the policies that
//! decide them (quotas, attempts, capabilities).
//!
//! This crate knows no I/O: no database, no HTTP, no clock. Time is always passed in. Every
//! rule from SPEC.md lives here or in the application crate, cited by its id (R1…R22).

pub mod account;
pub mod actor;
pub mod application;
pub mod attempts;
pub mod audit;
pub mod calendar;
pub mod capabilities;
pub mod enterprise;
pub mod event;
pub mod identifiers;
pub mod identity;
pub mod ids;
pub mod invitation;
pub mod masking;
pub mod method;
pub mod notification;
pub mod phone_change;
pub mod policy;
pub mod quota;
pub mod recheck;
pub mod retention;
pub mod subject;
pub mod webhook;

pub use account::{
    Account, AccountKind, AccountState, AssociationRefused, Holding, ModificationRefused,
    RealNameStatus, Rebinding, Verification,
};
pub use actor::Actor;
pub use application::{
    Amount, Application, ApplicationStatus, CreditReceived, DeadlineAction, Failure, FailureCode,
    NextAction, Purpose, RegistryCheck, ReviewContext, TransitionError,
};
pub use ids::{
    AccountId, ApplicationId, CaseId, IdParseError, InvitationId, NotificationId, ProofId,
};
pub use method::{Ineligible, Method, MethodInfo, ProviderName};
pub use policy::Policy;
pub use subject::{
    DocumentType, EnterpriseSubject, PersonalDocument, PersonalSubject, Region, Subject,
    SubjectType,
};
