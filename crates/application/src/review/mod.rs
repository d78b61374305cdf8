//! Reviewers and account managers: the review queue, decisions and enterprise limits.

mod decide_application;
mod list_review_queue;
mod set_enterprise_limit;

pub use decide_application::{DecideApplication, DecideApplicationDeps, Decision};
pub use list_review_queue::ListReviewQueue;
pub use set_enterprise_limit::{
    EnterpriseLimitShown, GetEnterpriseLimit, SetEnterpriseLimit, SetEnterpriseLimitCommand,
};
