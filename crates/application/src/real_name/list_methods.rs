//! The R13 method metadata.

use realname_domain::{Method, MethodInfo};

/// Lists the verification methods with their metadata.
#[derive(Debug, Default, Clone, Copy)]
pub struct ListMethods;

impl ListMethods {
    /// Every method, recommended ones first.
    #[must_use]
    pub fn execute(&self) -> Vec<MethodInfo> {
        let mut methods: Vec<MethodInfo> = Method::ALL.into_iter().map(Method::info).collect();
        methods.sort_by_key(|m| !m.recommended);
        methods
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_personal_methods_are_listed_instant_with_the_recommended_one_first() {
        let methods = ListMethods.execute();
        assert_eq!(methods.len(), 3);
        assert_eq!(methods[0].method, Method::WechatScan);
        assert!(
            methods
                .iter()
                .all(|m| m.instant && m.max_duration_working_days.is_none())
        );
    }
}
