//! Accounts and their real-name status (SPEC §2, R1, R20).

use chrono::{DateTime, Utc};

use crate::identifiers::Phone;
use crate::ids::AccountId;
use crate::method::Method;
use crate::subject::Subject;

/// Root or sub-account (R16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// A root account.
    Root,
    /// A sub-account under a root.
    Sub {
        /// The root.
        root: AccountId,
        /// Created under the root, it inherits the root's verification (R16); an associated
        /// account keeps its own.
        inherits: bool,
    },
}

/// The account's own state, independent of its real-name status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    /// In use.
    Active,
    /// Frozen in a theft case (R14).
    Frozen,
    /// Closed (R21).
    Closed,
}

impl AccountState {
    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Frozen => "frozen",
            Self::Closed => "closed",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Active, Self::Frozen, Self::Closed]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// The real-name status (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealNameStatus {
    /// Never verified.
    Unverified,
    /// Verified.
    Verified,
    /// Verified once, then revoked by the re-check or a theft decision (R14, R17).
    Revoked,
}

impl RealNameStatus {
    /// The API and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::Verified => "verified",
            Self::Revoked => "revoked",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Unverified, Self::Verified, Self::Revoked]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// The verification an account holds or held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The verified subject.
    pub subject: Subject,
    /// The method that verified it.
    pub method: Method,
    /// The first successful verification.
    pub verified_at: DateTime<Utc>,
    /// The last successful authentication, from which the R2 cooldown runs.
    pub last_authenticated_at: DateTime<Utc>,
}

/// A cloud account as realname sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its id.
    pub id: AccountId,
    /// Root or sub.
    pub kind: AccountKind,
    /// The bound phone (R19); `None` for a sub-account until the code sent to its first number
    /// is confirmed, and once a closed account's personal data is redacted (R21).
    pub phone: Option<Phone>,
    /// Active, frozen or closed.
    pub state: AccountState,
    /// Unverified, verified or revoked.
    pub status: RealNameStatus,
    /// The verification, once there has been one.
    pub verification: Option<Verification>,
    /// The agreement expiry that billing supplies (R12, R18).
    pub agreement_expires_at: Option<DateTime<Utc>>,
    /// When a pending revocation takes effect (R17), if one is pending.
    pub revocation_pending_at: Option<DateTime<Utc>>,
    /// When it was closed (R21).
    pub closed_at: Option<DateTime<Utc>>,
    /// When its personal data was redacted after the retention period (R21).
    pub redacted_at: Option<DateTime<Utc>>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// Holder credentials issued before this are revoked (R14): set by a recovery or a freeze.
    pub credentials_epoch: Option<DateTime<Utc>>,
}

/// Why a modification (R2) may not be submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ModificationRefused {
    /// The account cannot act.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// Only a verified (or revoked) account has a subject to modify.
    #[error("the account is not verified")]
    NotVerified,
    /// The new subject is the current one.
    #[error("the subject is unchanged")]
    NoChange,
    /// Inside the cooldown after the last successful authentication.
    #[error("modification is allowed from {allowed_from}")]
    Cooldown {
        /// When it becomes allowed.
        allowed_from: DateTime<Utc>,
        /// The cooldown, in days (R2's policy value).
        cooldown_days: i64,
    },
}

/// Why an account cannot start a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// The account is closed (R21).
    #[error("the account is closed")]
    Closed,
    /// The account is frozen (R14).
    #[error("the account is frozen")]
    Frozen,
    /// A first-time verification of a verified account (R20).
    #[error("the account is already verified")]
    AlreadyVerified,
    /// Only a verified account can lose its verification.
    #[error("the account is not verified")]
    NotVerified,
}

/// Who rebinds an account's phone (R14, R19).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rebinding {
    /// The holder, through a phone change.
    Holder,
    /// The proven owner, through the recovery tool, with this identity proof.
    Recovery(crate::ProofId),
}

/// Why an account cannot be associated as a sub-account (R16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AssociationRefused {
    /// The account cannot act.
    #[error(transparent)]
    Account(AccountError),
    /// Only a verified account may be associated (`sub_account_must_verify`).
    #[error("the account must be verified itself")]
    MustVerify,
    /// Only a root, under another root, may be associated.
    #[error("only a root account can be associated under another root")]
    NotARoot,
}

impl Account {
    /// A new, unverified root account.
    #[must_use]
    pub fn register(phone: Phone, now: DateTime<Utc>) -> Self {
        Self::new(AccountKind::Root, Some(phone), now)
    }

    fn new(kind: AccountKind, phone: Option<Phone>, now: DateTime<Utc>) -> Self {
        Self {
            id: AccountId::new(),
            kind,
            phone,
            state: AccountState::Active,
            status: RealNameStatus::Unverified,
            verification: None,
            agreement_expires_at: None,
            revocation_pending_at: None,
            closed_at: None,
            redacted_at: None,
            created_at: now,
            credentials_epoch: None,
        }
    }

    /// The root this account belongs to: itself for a root.
    #[must_use]
    pub const fn root_id(&self) -> AccountId {
        match self.kind {
            AccountKind::Root => self.id,
            AccountKind::Sub { root, .. } => root,
        }
    }

    /// Checks that the account is active, so that it may act at all.
    ///
    /// # Errors
    /// [`AccountError::Closed`] or [`AccountError::Frozen`].
    pub const fn ensure_active(&self) -> Result<(), AccountError> {
        match self.state {
            AccountState::Active => Ok(()),
            AccountState::Frozen => Err(AccountError::Frozen),
            AccountState::Closed => Err(AccountError::Closed),
        }
    }

    /// Checks that a first-time verification may start (R20): active and not verified.
    /// A revoked account may verify again (R18).
    ///
    /// # Errors
    /// [`AccountError`] for a closed, frozen or verified account.
    pub const fn ensure_may_verify(&self) -> Result<(), AccountError> {
        if let Err(e) = self.ensure_active() {
            return Err(e);
        }
        if matches!(self.status, RealNameStatus::Verified) {
            return Err(AccountError::AlreadyVerified);
        }
        Ok(())
    }

    /// Checks that a modification to `new` may be submitted now (R2): the account is active
    /// and verified (or revoked), the subject changes, and the cooldown has passed, unless the
    /// change is personal → enterprise, or a revocation is pending or done (R17, R18).
    ///
    /// # Errors
    /// [`ModificationRefused`] with the reason.
    pub fn ensure_may_modify(
        &self,
        new: &Subject,
        now: DateTime<Utc>,
        cooldown: chrono::Duration,
    ) -> Result<(), ModificationRefused> {
        self.ensure_active()?;
        let Some(current) = self
            .verification
            .as_ref()
            .filter(|_| self.status != RealNameStatus::Unverified)
        else {
            return Err(ModificationRefused::NotVerified);
        };
        // The whole subject, not only its key: an enterprise fixing its registered name keeps
        // its USCC (R17), and that fix must be possible.
        if current.subject == *new {
            return Err(ModificationRefused::NoChange);
        }
        let to_enterprise = current.subject.subject_type() == crate::subject::SubjectType::Personal
            && new.subject_type() == crate::subject::SubjectType::Enterprise;
        let revocation =
            self.status == RealNameStatus::Revoked || self.revocation_pending_at.is_some();
        let allowed_from = current.last_authenticated_at + cooldown;
        if !to_enterprise && !revocation && now < allowed_from {
            return Err(ModificationRefused::Cooldown {
                allowed_from,
                cooldown_days: cooldown.num_days(),
            });
        }
        Ok(())
    }

    /// Records a successful verification or modification; the caller has claimed the new
    /// subject's slot (R3, R4), and the old subject's slot is released with it (R2). A pending
    /// revocation ends (R17).
    pub fn verify(&mut self, subject: Subject, method: Method, now: DateTime<Utc>) {
        self.revocation_pending_at = None;
        let verified_at = self.verification.as_ref().map_or(now, |v| v.verified_at);
        self.status = RealNameStatus::Verified;
        self.verification = Some(Verification {
            subject,
            method,
            verified_at,
            last_authenticated_at: now,
        });
    }

    /// When a personal-to-personal modification may first be submitted (R2, R20): the last
    /// successful authentication plus the cooldown. `None` before any verification.
    #[must_use]
    pub fn modification_allowed_from(&self, cooldown: chrono::Duration) -> Option<DateTime<Utc>> {
        self.verification
            .as_ref()
            .map(|v| v.last_authenticated_at + cooldown)
    }

    /// A sub-account created under `root`: it inherits the root's verification (R16). It has no
    /// phone until the holder confirms one by its code (R19).
    #[must_use]
    pub fn sub_account(root: &Self, now: DateTime<Utc>) -> Self {
        let kind = AccountKind::Sub {
            root: root.id,
            inherits: true,
        };
        Self::new(kind, None, now)
    }

    /// The root whose verification this account inherits, if it inherits one.
    #[must_use]
    pub const fn inherited_from(&self) -> Option<AccountId> {
        match self.kind {
            AccountKind::Sub {
                root,
                inherits: true,
            } => Some(root),
            _ => None,
        }
    }

    /// Detaches an associated account from its closing root (R21): it becomes a root again,
    /// with its own verification. Returns the root it left; `None`, and no change, for a root
    /// or an inheriting sub-account, which closes with its root instead.
    pub fn detach(&mut self) -> Option<AccountId> {
        match self.kind {
            AccountKind::Sub {
                root,
                inherits: false,
            } => {
                self.kind = AccountKind::Root;
                Some(root)
            }
            _ => None,
        }
    }

    /// Checks that this account may be associated under `root` (R16): it is an active root
    /// without sub-accounts of its own, other than `root`, and verified itself.
    ///
    /// # Errors
    /// [`AssociationRefused`] with the reason.
    pub fn ensure_may_associate(&self, root: &Self) -> Result<(), AssociationRefused> {
        self.ensure_active().map_err(AssociationRefused::Account)?;
        if self.status != RealNameStatus::Verified {
            return Err(AssociationRefused::MustVerify);
        }
        if self.id == root.id || self.kind != AccountKind::Root || root.kind != AccountKind::Root {
            return Err(AssociationRefused::NotARoot);
        }
        Ok(())
    }

    /// Revokes the verification (R14, R17): the account keeps its history but holds no slot.
    ///
    /// # Errors
    /// [`AccountError::NotVerified`] unless it is verified.
    pub fn revoke(&mut self) -> Result<(), AccountError> {
        if self.status != RealNameStatus::Verified {
            return Err(AccountError::NotVerified);
        }
        self.status = RealNameStatus::Revoked;
        self.revocation_pending_at = None;
        Ok(())
    }

    /// Sets a pending revocation (R17). Returns false when one is pending already or the
    /// account holds no verification to revoke, so a notice is never sent twice.
    pub fn schedule_revocation(&mut self, effective_at: DateTime<Utc>) -> bool {
        if !self.holds_slot() || self.revocation_pending_at.is_some() {
            return false;
        }
        self.revocation_pending_at = Some(effective_at);
        true
    }

    /// Cancels a pending revocation (R17). Returns whether one was pending.
    pub fn cancel_revocation(&mut self) -> bool {
        self.revocation_pending_at.take().is_some()
    }

    /// Freezes the account in a theft case (R14): every capability answers `account_frozen`,
    /// and every holder credential issued so far is revoked.
    ///
    /// # Errors
    /// [`AccountError::Closed`] for a closed account; a frozen one stays frozen.
    pub fn freeze(&mut self, now: DateTime<Utc>) -> Result<(), AccountError> {
        if self.state == AccountState::Closed {
            return Err(AccountError::Closed);
        }
        self.state = AccountState::Frozen;
        self.credentials_epoch = Some(now);
        Ok(())
    }

    /// Binds `phone` (R19) and returns the number it replaces. A rebinding by the recovery tool
    /// (R14) revokes every holder credential issued before it, the impostor's among them; the
    /// holder's own change does not log them out.
    pub fn rebind_phone(
        &mut self,
        phone: Phone,
        by: Rebinding,
        now: DateTime<Utc>,
    ) -> Option<Phone> {
        if matches!(by, Rebinding::Recovery(_)) {
            self.credentials_epoch = Some(now);
        }
        self.phone.replace(phone)
    }

    /// Whether a holder credential issued at `issued_at` (seconds since the epoch, a token's
    /// `iat`) is still good for this account (R14).
    #[must_use]
    pub fn admits_credential_issued_at(epoch: Option<DateTime<Utc>>, issued_at: i64) -> bool {
        epoch.is_none_or(|epoch| issued_at >= epoch.timestamp())
    }

    /// Lifts a freeze when the theft case is not confirmed (R14).
    pub fn unfreeze(&mut self) {
        if self.state == AccountState::Frozen {
            self.state = AccountState::Active;
        }
    }

    /// Closes the account (R21): it releases its phone binding and its quota slot, since
    /// neither counts closed accounts.
    ///
    /// # Errors
    /// [`AccountError::Closed`] when it is closed already.
    pub fn close(&mut self, now: DateTime<Utc>) -> Result<(), AccountError> {
        if self.state == AccountState::Closed {
            return Err(AccountError::Closed);
        }
        self.state = AccountState::Closed;
        self.closed_at = Some(now);
        Ok(())
    }

    /// Redacts a closed account's personal data once the retention period has passed (R21):
    /// the phone and the verified subject go; the status, dates and — in storage — the subject
    /// key stay, so find-accounts and theft investigations still see the history.
    /// Returns whether anything was redacted.
    pub fn redact(&mut self, now: DateTime<Utc>, retention: chrono::Duration) -> bool {
        let due = self
            .closed_at
            .is_some_and(|closed| closed + retention <= now);
        if self.state != AccountState::Closed || self.redacted_at.is_some() || !due {
            return false;
        }
        self.phone = None;
        self.verification = None;
        self.redacted_at = Some(now);
        true
    }

    /// Whether the account currently holds a quota slot for its subject (R3, R4): verified and
    /// not closed. Revoked and closed accounts hold none.
    #[must_use]
    pub const fn holds_slot(&self) -> bool {
        Holding::SUBJECT_SLOT.holds(self.status, self.state)
    }

    /// Whether the account counts against its phone number's limit (R19): not closed, whatever
    /// its status.
    #[must_use]
    pub const fn binds_phone(&self) -> bool {
        Holding::PHONE_BINDING.holds(self.status, self.state)
    }
}

/// Which accounts hold something that a limit counts: the one definition of a subject slot
/// (R3, R4) and of a phone binding (R19). It is data, so that the storage adapter builds its
/// locked counts from it instead of restating the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holding {
    /// The status an account must have, if any.
    pub status: Option<RealNameStatus>,
    /// The state that releases what the account held (R21).
    pub released_by: AccountState,
}

impl Holding {
    /// A subject slot: a verified account that is not closed (R3, R4).
    pub const SUBJECT_SLOT: Self = Self {
        status: Some(RealNameStatus::Verified),
        released_by: AccountState::Closed,
    };
    /// A phone binding: an account that is not closed, whatever its status (R19).
    pub const PHONE_BINDING: Self = Self {
        status: None,
        released_by: AccountState::Closed,
    };

    /// Whether an account with this status and state holds it.
    #[must_use]
    pub const fn holds(&self, status: RealNameStatus, state: AccountState) -> bool {
        let status_holds = match self.status {
            Some(required) => required as u8 == status as u8,
            None => true,
        };
        status_holds && state as u8 != self.released_by as u8
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn account() -> Account {
        Account::register(Phone::parse("13812345678").unwrap(), Utc::now())
    }

    #[test]
    fn a_recovery_or_a_freeze_revokes_earlier_credentials_and_an_own_phone_change_does_not() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
        let before = at.timestamp() - 1;
        let new = || Phone::parse("13912345678").unwrap();

        let mut own = account();
        own.rebind_phone(new(), Rebinding::Holder, at);
        assert!(Account::admits_credential_issued_at(
            own.credentials_epoch,
            before
        ));

        let mut recovered = account();
        let old = recovered.rebind_phone(new(), Rebinding::Recovery(crate::ProofId::new()), at);
        assert_eq!(old, Some(Phone::parse("13812345678").unwrap()));
        assert!(!Account::admits_credential_issued_at(
            recovered.credentials_epoch,
            before
        ));
        assert!(
            Account::admits_credential_issued_at(recovered.credentials_epoch, at.timestamp()),
            "a token issued in the epoch second is the owner's own"
        );

        let mut frozen = account();
        frozen.freeze(at).unwrap();
        assert!(!Account::admits_credential_issued_at(
            frozen.credentials_epoch,
            before
        ));
    }

    #[test]
    fn a_verified_account_may_not_verify_again() {
        let mut acct = account();
        acct.status = RealNameStatus::Verified;
        assert_eq!(acct.ensure_may_verify(), Err(AccountError::AlreadyVerified));
    }

    #[test]
    fn a_revoked_account_may_verify_again() {
        let mut acct = account();
        acct.status = RealNameStatus::Revoked;
        assert_eq!(acct.ensure_may_verify(), Ok(()));
    }

    #[test]
    fn closed_and_frozen_accounts_may_not_verify() {
        let mut acct = account();
        acct.state = AccountState::Closed;
        assert_eq!(acct.ensure_may_verify(), Err(AccountError::Closed));
        acct.state = AccountState::Frozen;
        assert_eq!(acct.ensure_may_verify(), Err(AccountError::Frozen));
    }

    fn person(number: &str, name: &str) -> crate::subject::Subject {
        crate::subject::Subject::Personal(crate::subject::PersonalSubject {
            document: crate::subject::PersonalDocument::parse(
                crate::subject::DocumentType::ResidentId,
                number,
                Utc::now().date_naive(),
            )
            .unwrap(),
            name: crate::identifiers::PersonName::parse(name).unwrap(),
            region: crate::subject::Region::Mainland,
        })
    }

    fn verified_at(at: DateTime<Utc>) -> Account {
        let mut acct = account();
        acct.verify(person("11010519491231002X", "张三"), Method::WechatScan, at);
        acct
    }

    #[test]
    fn a_personal_modification_inside_the_cooldown_is_refused_with_the_date_it_opens() {
        let at = Utc::now();
        let acct = verified_at(at);
        let other = person("110105198001010016", "李四");
        let cooldown = chrono::Duration::days(30);
        assert_eq!(
            acct.ensure_may_modify(&other, at + chrono::Duration::days(29), cooldown),
            Err(ModificationRefused::Cooldown {
                allowed_from: at + cooldown,
                cooldown_days: 30,
            })
        );
        assert_eq!(
            acct.ensure_may_modify(&other, at + cooldown, cooldown),
            Ok(())
        );
    }

    #[test]
    fn the_same_subject_is_no_change() {
        let at = Utc::now();
        let acct = verified_at(at);
        let same = person("11010519491231002X", "张三");
        assert_eq!(
            acct.ensure_may_modify(
                &same,
                at + chrono::Duration::days(60),
                chrono::Duration::days(30)
            ),
            Err(ModificationRefused::NoChange)
        );
    }

    #[test]
    fn the_same_document_under_a_corrected_name_is_a_change() {
        // R17: a name_mismatch is fixed by modifying the name under the same number.
        let at = Utc::now();
        let acct = verified_at(at);
        let renamed = person("11010519491231002X", "张三丰");
        assert_eq!(
            acct.ensure_may_modify(
                &renamed,
                at + chrono::Duration::days(60),
                chrono::Duration::days(30)
            ),
            Ok(())
        );
    }

    #[test]
    fn a_revocation_is_scheduled_once_and_cancelled_once() {
        let at = Utc::now();
        let mut acct = verified_at(at);
        let effective = at + chrono::Duration::days(15);
        assert!(acct.schedule_revocation(effective));
        assert!(!acct.schedule_revocation(effective + chrono::Duration::days(1)));
        assert_eq!(acct.revocation_pending_at, Some(effective));
        assert!(acct.cancel_revocation());
        assert!(!acct.cancel_revocation());
        assert!(
            !account().schedule_revocation(effective),
            "nothing to revoke"
        );
    }

    #[test]
    fn a_pending_or_done_revocation_lifts_the_cooldown() {
        let at = Utc::now();
        let other = person("110105198001010016", "李四");
        let mut pending = verified_at(at);
        pending.revocation_pending_at = Some(at + chrono::Duration::days(15));
        assert_eq!(
            pending.ensure_may_modify(&other, at, chrono::Duration::days(30)),
            Ok(())
        );
        let mut revoked = verified_at(at);
        revoked.status = RealNameStatus::Revoked;
        assert_eq!(
            revoked.ensure_may_modify(&other, at, chrono::Duration::days(30)),
            Ok(())
        );
    }

    #[test]
    fn an_unverified_account_has_nothing_to_modify() {
        let other = person("110105198001010016", "李四");
        assert_eq!(
            account().ensure_may_modify(&other, Utc::now(), chrono::Duration::days(30)),
            Err(ModificationRefused::NotVerified)
        );
    }

    #[test]
    fn an_account_closes_once_and_then_holds_no_slot() {
        let mut acct = verified_at(Utc::now());
        assert!(acct.holds_slot());
        acct.close(Utc::now()).unwrap();
        assert!(!acct.holds_slot());
        assert_eq!(acct.close(Utc::now()), Err(AccountError::Closed));
    }

    #[test]
    fn only_a_verified_root_may_be_associated_under_another_root() {
        let root = account();
        let unverified = account();
        assert_eq!(
            unverified.ensure_may_associate(&root),
            Err(AssociationRefused::MustVerify)
        );
        let verified = verified_at(Utc::now());
        assert_eq!(verified.ensure_may_associate(&root), Ok(()));
        assert_eq!(
            verified.ensure_may_associate(&verified),
            Err(AssociationRefused::NotARoot)
        );
        let sub = Account::sub_account(&root, Utc::now());
        assert_eq!(sub.inherited_from(), Some(root.id));
    }

    #[test]
    fn only_an_associated_account_detaches_from_its_root() {
        // R21: an associated account becomes a root again; an inheriting one does not detach.
        let root = account();
        let mut associated = verified_at(Utc::now());
        associated.kind = AccountKind::Sub {
            root: root.id,
            inherits: false,
        };
        assert_eq!(associated.detach(), Some(root.id));
        assert_eq!(associated.kind, AccountKind::Root);
        assert_eq!(associated.status, RealNameStatus::Verified);
        let mut heir = Account::sub_account(&root, Utc::now());
        assert_eq!(heir.detach(), None);
        assert_eq!(heir.inherited_from(), Some(root.id));
        assert_eq!(root.clone().detach(), None);
    }

    #[test]
    fn only_a_verified_account_can_be_revoked() {
        let mut acct = verified_at(Utc::now());
        acct.revoke().unwrap();
        assert_eq!(acct.status, RealNameStatus::Revoked);
        assert_eq!(acct.revoke(), Err(AccountError::NotVerified));
    }

    #[test]
    fn a_closed_account_is_redacted_once_after_the_retention_period() {
        let at = Utc::now();
        let retention = chrono::Duration::days(1095);
        let mut acct = verified_at(at);
        assert!(
            !acct.redact(at + retention, retention),
            "open accounts are never redacted"
        );
        acct.close(at).unwrap();
        assert!(!acct.redact(at + retention - chrono::Duration::seconds(1), retention));
        assert!(acct.redact(at + retention, retention));
        assert_eq!(
            (acct.phone.as_ref(), acct.verification.as_ref()),
            (None, None)
        );
        assert_eq!(acct.status, RealNameStatus::Verified, "the history stays");
        assert!(!acct.redact(at + retention * 2, retention), "once");
    }

    #[test]
    fn closed_and_revoked_accounts_hold_no_slot() {
        let mut acct = account();
        acct.status = RealNameStatus::Verified;
        assert!(acct.holds_slot());
        acct.state = AccountState::Closed;
        assert!(!acct.holds_slot());
        acct.state = AccountState::Active;
        acct.status = RealNameStatus::Revoked;
        assert!(!acct.holds_slot());
    }

    #[test]
    fn modification_is_allowed_a_cooldown_after_the_last_authentication() {
        let mut acct = account();
        assert_eq!(
            acct.modification_allowed_from(chrono::Duration::days(30)),
            None
        );
        let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let subject = crate::subject::Subject::Personal(crate::subject::PersonalSubject {
            document: crate::subject::PersonalDocument::parse(
                crate::subject::DocumentType::TaiwanPermit,
                "12345678",
                at.date_naive(),
            )
            .unwrap(),
            name: crate::identifiers::PersonName::parse("陈大文").unwrap(),
            region: crate::subject::Region::Taiwan,
        });
        acct.verify(subject, Method::WechatScan, at);
        assert_eq!(
            acct.modification_allowed_from(chrono::Duration::days(30)),
            Some(Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap())
        );
    }

    #[test]
    fn a_sub_account_belongs_to_its_root() {
        let root = AccountId::new();
        let mut acct = account();
        acct.kind = AccountKind::Sub {
            root,
            inherits: true,
        };
        assert_eq!(acct.root_id(), root);
        let _ = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0);
    }
}
