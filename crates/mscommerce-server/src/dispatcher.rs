//! Delivers the outbox: every email the service writes (with the change that causes it) is sent here, at least
//! once, with its stable Message-ID, so a receiver can drop a duplicate.
//!
//! Messages are claimed for a while before they are sent, so that several dispatchers (replicas) never take the
//! same one; a message whose delivery fails is tried again later, the wait doubling each time. Without an SMTP
//! server configured, messages are written as .eml files to a folder, and logged.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use lettre::message::{header, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mscommerce_store::{OutboxMessage, Store};
use tokio::sync::watch;

use crate::config::{Secret, Settings, SmtpTls};

/// Messages taken per round.
const BATCH: u32 = 50;
/// The longest one SMTP delivery may take (lettre's timeout), in seconds.
const SMTP_TIMEOUT_SECONDS: u64 = 15;

enum Delivery {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

/// How many messages one claim may take: all of them are sent one after another, so even if every delivery ran
/// to the SMTP timeout the last one still starts within the lease (and no other dispatcher claims it meanwhile).
fn batch_within_lease(lease_seconds: i64) -> u32 {
    let fitting = lease_seconds.max(0) as u64 / (SMTP_TIMEOUT_SECONDS + 1);
    (fitting as u32).clamp(1, BATCH)
}

pub struct Dispatcher {
    store: Arc<dyn Store>,
    delivery: Delivery,
    from: Mailbox,
    poll_interval: Duration,
    retry_base_seconds: u64,
    retry_max_seconds: u64,
    /// How long a claimed message stays hidden from other dispatchers: longer than any delivery takes.
    lease_seconds: i64,
}

impl Dispatcher {
    pub fn new(store: Arc<dyn Store>, settings: &Settings) -> Result<Dispatcher> {
        let delivery = match &settings.smtp_host {
            None => {
                std::fs::create_dir_all(&settings.mail_folder).with_context(|| {
                    format!(
                        "mail_folder: cannot create {}",
                        settings.mail_folder.display()
                    )
                })?;
                Delivery::Folder(settings.mail_folder.clone())
            }
            Some(host) => {
                let mut builder = match settings.smtp_tls {
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
                    SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
                    SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                        host,
                    )),
                }
                .with_context(|| format!("smtp_host: {host}"))?;
                builder = builder
                    .port(
                        settings
                            .smtp_port
                            .unwrap_or(settings.smtp_tls.default_port()),
                    )
                    .timeout(Some(Duration::from_secs(SMTP_TIMEOUT_SECONDS)));
                if let (Some(user), Some(Secret(password))) =
                    (&settings.smtp_username, &settings.smtp_password)
                {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                Delivery::Smtp(builder.build())
            }
        };
        Ok(Dispatcher {
            store,
            delivery,
            from: settings.mail_from.parse().context("mail_from")?,
            poll_interval: Duration::from_millis(settings.mail_poll_interval_ms),
            retry_base_seconds: settings.mail_retry_base_seconds,
            retry_max_seconds: settings.mail_retry_max_seconds,
            lease_seconds: settings.mail_lease_seconds as i64,
        })
    }

    /// Delivers until `stop` turns true; a delivery in progress finishes first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        match &self.delivery {
            Delivery::Smtp(_) => tracing::info!("notification emails go to the SMTP server"),
            Delivery::Folder(folder) => tracing::info!(
                folder = %folder.display(),
                "no SMTP server configured: notification emails are written as .eml files"
            ),
        }
        while !*stop.borrow() {
            let handled = match self.round().await {
                Ok(handled) => handled,
                Err(e) => {
                    tracing::warn!(error = %e, "the outbox could not be read; trying again");
                    0
                }
            };
            if handled == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(self.poll_interval) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }

    /// One round: claim what is due, deliver it. Answers how many messages were handled.
    pub async fn round(&self) -> Result<usize> {
        let messages = self
            .store
            .claim_messages(batch_within_lease(self.lease_seconds), self.lease_seconds)
            .await?;
        for message in &messages {
            match self.deliver(message).await {
                Ok(()) => {
                    self.store.mark_message_sent(message.id).await?;
                    tracing::info!(
                        mail.message_id = %message.message_id,
                        mail.kind = %message.kind,
                        mail.attempts = message.attempts + 1,
                        "notification delivered"
                    );
                }
                Err(e) => {
                    let wait = self.retry_delay(message.attempts);
                    tracing::warn!(
                        mail.message_id = %message.message_id,
                        mail.attempts = message.attempts + 1,
                        retry_in_s = wait,
                        error = %format!("{e:#}"),
                        "notification not delivered; will retry"
                    );
                    self.store
                        .mark_message_failed(message.id, &format!("{e:#}"), wait as i64)
                        .await?;
                }
            }
        }
        Ok(messages.len())
    }

    /// Seconds before the next attempt after `attempts` failed ones: doubling, capped.
    fn retry_delay(&self, attempts: i64) -> u64 {
        let factor = 1u64 << attempts.clamp(0, 20);
        self.retry_base_seconds
            .saturating_mul(factor)
            .min(self.retry_max_seconds)
    }

    fn compose(&self, message: &OutboxMessage) -> Result<Message> {
        let to: Mailbox = message.recipient.parse().with_context(|| {
            format!(
                "the recipient '{}' is not an email address",
                message.recipient
            )
        })?;
        let sent: SystemTime = message.created_at.into();
        Message::builder()
            .message_id(Some(message.message_id.clone()))
            .date(sent)
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .header(header::MIME_VERSION_1_0)
            .multipart(MultiPart::alternative_plain_html(
                message.body_text.clone(),
                message.body_html.clone(),
            ))
            .context("composing the message")
    }

    async fn deliver(&self, message: &OutboxMessage) -> Result<()> {
        let email = self.compose(message)?;
        match &self.delivery {
            Delivery::Smtp(transport) => {
                transport.send(email).await.context("SMTP")?;
            }
            Delivery::Folder(folder) => {
                // Named after the Message-ID, so a second delivery of the same message replaces the first.
                let name: String = message
                    .message_id
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let path = folder.join(format!("{name}.eml"));
                let partial = folder.join(format!(".{name}.partial"));
                tokio::fs::write(&partial, email.formatted()).await?;
                tokio::fs::rename(&partial, &path).await?;
                tracing::info!(
                    mail.to = %message.recipient,
                    mail.subject = %message.subject,
                    file = %path.display(),
                    "notification written to the mail folder"
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_never_holds_more_than_its_lease_can_deliver() {
        assert_eq!(
            batch_within_lease(16),
            1,
            "the shortest lease: one at a time"
        );
        assert_eq!(batch_within_lease(120), 7);
        assert_eq!(batch_within_lease(86_400), BATCH);
        for lease in [16, 17, 40, 120, 799, 800, 86_400] {
            let batch = u64::from(batch_within_lease(lease));
            assert!(
                batch == 1 || batch * SMTP_TIMEOUT_SECONDS < lease as u64,
                "lease {lease}: {batch} deliveries of up to {SMTP_TIMEOUT_SECONDS} s"
            );
        }
    }
}
