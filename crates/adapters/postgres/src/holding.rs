//! The domain's [`Holding`] definitions (R3, R4, R19) as SQL filters on `accounts`, so that the
//! locked counts and the re-check's candidates select exactly the accounts the domain counts.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use realname_domain::Holding;

use crate::schema::accounts;

/// A boolean filter on `accounts`.
pub(crate) type AccountFilter = Box<dyn BoxableExpression<accounts::table, Pg, SqlType = Bool>>;

/// The accounts that hold `holding`.
pub(crate) fn holding(holding: Holding) -> AccountFilter {
    let released = accounts::state.ne(holding.released_by.as_str());
    match holding.status {
        Some(status) => Box::new(accounts::status.eq(status.as_str()).and(released)),
        None => Box::new(released),
    }
}

#[cfg(test)]
mod tests {
    use diesel::debug_query;

    use super::*;

    #[test]
    fn the_filters_name_the_domains_status_and_state() {
        let slot = accounts::table
            .select(accounts::id)
            .filter(holding(Holding::SUBJECT_SLOT));
        let text = debug_query::<Pg, _>(&slot).to_string();
        assert!(text.contains("\"status\" = $1"), "{text}");
        assert!(text.contains("\"state\" != $2"), "{text}");
        assert!(text.contains("\"verified\", \"closed\""), "{text}");
    }
}
