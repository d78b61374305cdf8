//! The R13 method metadata.

use realname_domain::{Method, MethodInfo};

/// Lists the verification methods with their metadata.
#[derive(Debug, Default, Clone, Copy)]
pub struct ListMethods;

impl ListMethods {
    /// Every method: personal ones first, each group with its recommended methods first.
    #[must_use]
    pub fn execute(&self) -> Vec<MethodInfo> {
        let mut methods: Vec<MethodInfo> = Method::ALL.into_iter().map(Method::info).collect();
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
        let ids: Vec<_> = ListMethods
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
