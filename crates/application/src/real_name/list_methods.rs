//! The R13 method metadata.

use std::sync::Arc;

use realname_domain::{Method, MethodInfo, Policy};

/// Lists the verification methods with their metadata.
#[derive(Debug, Clone)]
pub struct ListMethods {
    policy: Arc<Policy>,
}

impl ListMethods {
    /// Wires the use case.
    #[must_use]
    pub const fn new(policy: Arc<Policy>) -> Self {
        Self { policy }
    }

    /// Every method: personal ones first, each group with its recommended methods first; the
    /// payment methods with their configured durations (R6, R13).
    #[must_use]
    pub fn execute(&self) -> Vec<MethodInfo> {
        let mut methods: Vec<MethodInfo> = Method::ALL
            .into_iter()
            .map(|m| self.policy.method_info(m))
            .collect();
        methods.sort_by_key(|m| {
            (
                m.subject_type != realname_domain::SubjectType::Personal,
                !m.recommended,
            )
        });
        methods
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_eight_methods_are_listed_personal_first_with_recommended_ones_leading() {
        let ids: Vec<_> = ListMethods::new(Arc::new(Policy::default()))
            .execute()
            .iter()
            .map(|m| m.method.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "wechat_scan",
                "qq_scan",
                "face_recognition",
                "wechat_public_platform",
                "legal_person_wechat_scan",
                "legal_person_face_recognition",
                "cloud_recharge",
                "corporate_remittance",
            ]
        );
    }
}
