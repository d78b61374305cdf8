//! Loading what an actor may see: anything else is "not found" (API.md).

use realname_domain::{Account, AccountId, Actor, Application, ApplicationId};
use realname_ports::{AccountReader, ApplicationReader, Transaction};

use crate::AppError;

/// The account, if it exists and the actor may see it.
pub(crate) async fn visible_account(
    accounts: &dyn AccountReader,
    actor: &Actor,
    id: AccountId,
) -> Result<Account, AppError> {
    accounts
        .account(id)
        .await?
        .filter(|account| actor.can_see(account))
        .ok_or(AppError::NotFound("account"))
}

/// The application and its account, if both exist and the actor may see the account.
pub(crate) async fn visible_application(
    accounts: &dyn AccountReader,
    applications: &dyn ApplicationReader,
    actor: &Actor,
    id: ApplicationId,
) -> Result<(Account, Application), AppError> {
    let application = applications
        .application(id)
        .await?
        .ok_or(AppError::NotFound("application"))?;
    let account = visible_account(accounts, actor, application.account_id)
        .await
        .map_err(|_| AppError::NotFound("application"))?;
    Ok((account, application))
}

/// The account locked for update, if it exists and the actor may see it.
pub(crate) async fn lock_visible_account(
    tx: &mut dyn Transaction,
    actor: &Actor,
    id: AccountId,
) -> Result<Account, AppError> {
    tx.account_for_update(id)
        .await?
        .filter(|account| actor.can_see(account))
        .ok_or(AppError::NotFound("account"))
}

/// The application locked for update, after its account's lock (lock order).
pub(crate) async fn lock_application(
    tx: &mut dyn Transaction,
    id: ApplicationId,
) -> Result<Application, AppError> {
    tx.application_for_update(id)
        .await?
        .ok_or(AppError::NotFound("application"))
}
