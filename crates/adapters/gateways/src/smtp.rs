//! Support escalations by e-mail over SMTP (R8), with lettre. The URL follows lettre's
//! semantics: `smtp://host:25?tls=required` for STARTTLS, `smtps://user:pass@host:465` for TLS,
//! plain `smtp://host:port` for a loopback relay.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use realname_ports::{GatewayError, OverdueNotice, SupportNotifier};

/// The support desk's mailbox, reached over SMTP.
pub struct SmtpSupport {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Mailbox,
}

impl fmt::Debug for SmtpSupport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password: it is not shown.
        f.debug_struct("SmtpSupport")
            .field("from", &self.from.email.to_string())
            .field("to", &self.to.email.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpSupport {
    /// A mailer for `notifications.support.{smtp_url, from, to, timeout_ms}`.
    ///
    /// # Errors
    /// Naming the key whose value does not parse (never the value).
    pub fn new(smtp_url: &str, from: &str, to: &str, timeout: Duration) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|_| anyhow::anyhow!("notifications.support.smtp_url is not an SMTP URL"))?
            .timeout(Some(timeout))
            .build();
        let from = from
            .parse()
            .map_err(|_| anyhow::anyhow!("notifications.support.from is not an address"))?;
        let to = to
            .parse()
            .map_err(|_| anyhow::anyhow!("notifications.support.to is not an address"))?;
        Ok(Self {
            transport,
            from,
            to,
        })
    }
}

#[async_trait]
impl SupportNotifier for SmtpSupport {
    /// One message per overdue application: ids and the deadline, no personal data.
    async fn overdue(&self, notice: &OverdueNotice) -> Result<(), GatewayError> {
        let body = format!(
            "An application passed its deadline without a decision and was escalated (R8).\n\n\
             application: {}\naccount: {}\ndeadline: {}\n\n\
             It is in the review queue: GET /v1/review-queue\n",
            notice.application_id,
            notice.account_id,
            notice.deadline.to_rfc3339()
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(self.to.clone())
            .subject(format!("Overdue review: {}", notice.application_id))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| GatewayError::Unavailable(e.into()))?;
        let sent = crate::metered("smtp", self.transport.send(message), |e| e.is_timeout());
        sent.await.map(|_| ()).map_err(|e| {
            if e.is_timeout() {
                GatewayError::Timeout
            } else {
                GatewayError::Unavailable(anyhow::anyhow!("the SMTP relay refused: {e}"))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use realname_domain::{AccountId, ApplicationId};
    use realname_test_support::smtp::SmtpServer;

    use super::*;

    #[tokio::test]
    async fn an_overdue_notice_reaches_a_real_smtp_server() {
        let server = SmtpServer::start();
        let support = SmtpSupport::new(
            &server.url(),
            "realname <realname@cloud.test>",
            "support@cloud.test",
            Duration::from_secs(5),
        )
        .unwrap();
        let notice = OverdueNotice {
            application_id: ApplicationId::new(),
            account_id: AccountId::new(),
            deadline: Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap(),
        };
        support.overdue(&notice).await.unwrap();
        let messages = server.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(messages.len(), 1);
        let message = &messages[0];
        assert!(message.contains("To: support@cloud.test"), "{message}");
        assert!(
            message.contains(&notice.application_id.to_string()),
            "{message}"
        );
        assert!(
            message.contains(&notice.account_id.to_string()),
            "{message}"
        );
    }

    #[tokio::test]
    async fn an_unreachable_relay_is_an_error_and_the_url_is_never_shown() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let support = SmtpSupport::new(
            &format!("smtp://user:hunter2-secret@127.0.0.1:{port}"),
            "realname@cloud.test",
            "support@cloud.test",
            Duration::from_secs(2),
        )
        .unwrap();
        assert!(!format!("{support:?}").contains("hunter2"));
        let notice = OverdueNotice {
            application_id: ApplicationId::new(),
            account_id: AccountId::new(),
            deadline: Utc::now(),
        };
        let error = support.overdue(&notice).await.unwrap_err().to_string();
        assert!(!error.contains("hunter2"), "{error}");
        assert!(
            SmtpSupport::new("not a url", "a@b.test", "c@d.test", Duration::from_secs(1))
                .unwrap_err()
                .to_string()
                .contains("notifications.support.smtp_url")
        );
    }
}
